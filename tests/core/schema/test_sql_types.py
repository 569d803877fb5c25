"""The SQL type lattice: adapter alias tables, canonical relations, JSON Schema encoding."""

from __future__ import annotations

import pytest

from tessera_core.errors import InvalidSchemaError
from tessera_core.schema.sql_types import (
    ADAPTERS,
    compare_sql_types,
    json_schema_for_sql_type,
    lattice_markdown,
    parse_sql_type,
)
from tessera_core.types import Relation

E, W, N, X = Relation.EQUIVALENT, Relation.WIDENING, Relation.NARROWING, Relation.INCOMPARABLE

# (adapter, aliases that must all mean the same canonical type, that canonical type)
ALIAS_GROUPS = [
    ("postgres", ["int", "integer", "int4", "INTEGER", "serial"], "int32"),
    ("postgres", ["smallint", "int2"], "int16"),
    ("postgres", ["bigint", "int8", "bigserial"], "int64"),
    ("postgres", ["real", "float4", "float(24)"], "float32"),
    ("postgres", ["double precision", "float8", "float", "float(53)"], "float64"),
    ("postgres", ["numeric(10,2)", "decimal(10, 2)", "NUMERIC( 10 , 2 )"], "decimal(10,2)"),
    ("postgres", ["numeric", "decimal"], "decimal"),
    ("postgres", ["numeric(7)"], "decimal(7,0)"),
    ("postgres", ["varchar(255)", "character varying(255)"], "string(255)"),
    ("postgres", ["text", "varchar", "character varying"], "string"),
    ("postgres", ["char(3)", "character(3)", "bpchar(3)"], "char(3)"),
    ("postgres", ["char", "character"], "char(1)"),
    ("postgres", ["bytea"], "bytes"),
    ("postgres", ["boolean", "bool"], "bool"),
    ("postgres", ["timestamp", "timestamp without time zone"], "timestamp_ntz(6)"),
    ("postgres", ["timestamptz", "timestamp with time zone", "TIMESTAMP WITH TIME ZONE"], "timestamp_tz(6)"),
    ("postgres", ["timestamp(3) with time zone", "timestamptz(3)"], "timestamp_tz(3)"),
    ("postgres", ["time", "time without time zone"], "time(6)"),
    ("postgres", ["timetz", "time with time zone"], "time_tz(6)"),
    ("postgres", ["json", "jsonb"], "json"),
    ("postgres", ["uuid"], "uuid"),
    ("postgres", ["integer[]", "int4[]", "integer array"], "array<int32>"),
    ("duckdb", ["tinyint", "int1"], "int8"),
    ("duckdb", ["smallint", "int2", "short"], "int16"),
    ("duckdb", ["integer", "int", "int4", "signed"], "int32"),
    ("duckdb", ["bigint", "int8", "long"], "int64"),
    ("duckdb", ["hugeint"], "int128"),
    ("duckdb", ["ubigint"], "uint64"),
    ("duckdb", ["float", "real", "float4"], "float32"),
    ("duckdb", ["double", "float8"], "float64"),
    ("duckdb", ["decimal", "numeric", "decimal(18,3)"], "decimal(18,3)"),
    # DuckDB does not enforce VARCHAR lengths
    ("duckdb", ["varchar", "varchar(10)", "text", "string", "char(4)"], "string"),
    ("duckdb", ["blob", "bytea"], "bytes"),
    ("duckdb", ["timestamp", "datetime"], "timestamp_ntz(6)"),
    ("duckdb", ["timestamp_ms"], "timestamp_ntz(3)"),
    ("duckdb", ["timestamp_ns"], "timestamp_ntz(9)"),
    ("duckdb", ["timestamptz", "timestamp with time zone"], "timestamp_tz(6)"),
    ("duckdb", ["INTEGER[]", "int[]"], "array<int32>"),
    ("duckdb", ["STRUCT(a INTEGER, b VARCHAR)"], "struct<a:int32,b:string>"),
    ("duckdb", ["MAP(VARCHAR, BIGINT)"], "map<string,int64>"),
    ("snowflake", ["int", "integer", "bigint", "smallint", "tinyint", "byteint"], "decimal(38,0)"),
    ("snowflake", ["number", "numeric", "decimal", "number(38,0)", "NUMBER(38, 0)"], "decimal(38,0)"),
    ("snowflake", ["number(10,2)", "decimal(10,2)"], "decimal(10,2)"),
    ("snowflake", ["float", "float4", "float8", "double", "double precision", "real"], "float64"),
    ("snowflake", ["varchar", "string", "text", "varchar(16777216)"], "string(16777216)"),
    ("snowflake", ["varchar(20)", "string(20)", "character varying(20)"], "string(20)"),
    ("snowflake", ["char", "character", "char(1)"], "char(1)"),
    ("snowflake", ["binary", "varbinary"], "bytes(8388608)"),
    ("snowflake", ["timestamp", "timestamp_ntz", "datetime", "timestamp_ntz(9)"], "timestamp_ntz(9)"),
    ("snowflake", ["timestamp_tz", "timestamp_ltz", "timestamp with time zone"], "timestamp_tz(9)"),
    ("snowflake", ["variant"], "json"),
    ("snowflake", ["array"], "array<json>"),
    ("snowflake", ["object"], "map<string,json>"),
    ("bigquery", ["int64", "int", "integer", "bigint", "smallint", "tinyint", "byteint"], "int64"),
    ("bigquery", ["float64", "FLOAT64"], "float64"),
    ("bigquery", ["numeric", "decimal", "numeric(38,9)"], "decimal(38,9)"),
    ("bigquery", ["bignumeric", "bigdecimal"], "decimal(76,38)"),
    ("bigquery", ["string"], "string"),
    ("bigquery", ["string(10)"], "string(10)"),
    ("bigquery", ["bool", "boolean"], "bool"),
    ("bigquery", ["datetime"], "timestamp_ntz(6)"),
    ("bigquery", ["timestamp"], "timestamp_tz(6)"),
    ("bigquery", ["ARRAY<INT64>", "array<int64>"], "array<int64>"),
    ("bigquery", ["STRUCT<a INT64, b STRING>", "struct<a int64,b string>"], "struct<a:int64,b:string>"),
    ("redshift", ["integer", "int", "int4"], "int32"),
    ("redshift", ["bigint", "int8"], "int64"),
    ("redshift", ["double precision", "float8", "float"], "float64"),
    ("redshift", ["decimal", "numeric", "decimal(18,0)"], "decimal(18,0)"),
    # a bare VARCHAR is VARCHAR(256) on Redshift
    ("redshift", ["varchar", "text", "varchar(256)", "character varying(256)"], "string(256)"),
    ("redshift", ["varchar(max)", "varchar(65535)"], "string(65535)"),
    ("redshift", ["timestamp", "timestamp without time zone"], "timestamp_ntz(6)"),
    ("redshift", ["timestamptz", "timestamp with time zone"], "timestamp_tz(6)"),
    ("redshift", ["super"], "json"),
    ("spark", ["tinyint", "byte"], "int8"),
    ("spark", ["smallint", "short"], "int16"),
    ("spark", ["int", "integer"], "int32"),
    ("spark", ["bigint", "long"], "int64"),
    ("spark", ["float", "real"], "float32"),
    ("spark", ["double"], "float64"),
    ("spark", ["decimal", "dec", "numeric", "decimal(10,0)"], "decimal(10,0)"),
    ("spark", ["string"], "string"),
    ("spark", ["varchar(12)"], "string(12)"),
    ("spark", ["timestamp", "timestamp_ltz"], "timestamp_tz(6)"),
    ("spark", ["timestamp_ntz"], "timestamp_ntz(6)"),
    ("spark", ["array<int>", "ARRAY<INTEGER>"], "array<int32>"),
    ("spark", ["map<string,bigint>", "MAP<STRING, LONG>"], "map<string,int64>"),
    (
        "spark",
        ["struct<a:int,b:string>", "STRUCT<a: INT, b: STRING>", "struct<a int, b string>"],
        "struct<a:int32,b:string>",
    ),
    ("databricks", ["int", "integer"], "int32"),
    ("databricks", ["timestamp"], "timestamp_tz(6)"),
    ("databricks", ["variant"], "json"),
]


@pytest.mark.parametrize(
    ("adapter", "aliases", "canonical"),
    ALIAS_GROUPS,
    ids=[f"{a}:{c}:{'='.join(al)}" for a, al, c in ALIAS_GROUPS],
)
def test_aliases_share_one_canonical_type(adapter: str, aliases: list[str], canonical: str) -> None:
    assert {alias: parse_sql_type(alias, adapter) for alias in aliases} == dict.fromkeys(aliases, canonical)
    for alias in aliases:
        assert compare_sql_types(parse_sql_type(aliases[0], adapter), parse_sql_type(alias, adapter)) is E


def test_every_adapter_has_an_alias_table_under_test() -> None:
    assert {adapter for adapter, _, _ in ALIAS_GROUPS} == set(ADAPTERS)


@pytest.mark.parametrize(
    "alias", ["int", "integer", "bigint", "smallint", "tinyint", "byteint", "number", "NUMBER(38,0)"]
)
def test_every_snowflake_integer_alias_is_number_38_0(alias: str) -> None:
    assert parse_sql_type(alias, "snowflake") == "decimal(38,0)"
    assert compare_sql_types(parse_sql_type("int", "snowflake"), parse_sql_type(alias, "snowflake")) is E


@pytest.mark.parametrize(
    ("adapter", "raw", "opaque"),
    [
        ("postgres", "geography", "opaque:geography"),
        ("postgres", "  GEOMETRY(Point,   4326) ", "opaque:geometry(point,4326)"),
        ("snowflake", "GEOGRAPHY", "opaque:geography"),
        ("snowflake", "VECTOR(FLOAT, 256)", "opaque:vector(float,256)"),
        ("bigquery", "INTERVAL", "opaque:interval"),
        ("bigquery", "varchar(10)", "opaque:varchar(10)"),  # not a BigQuery type
        ("postgres", "varchar(max)", "opaque:varchar(max)"),  # MAX is Redshift-only
        ("postgres", "timestamp(9)", "opaque:timestamp(9)"),  # Postgres caps precision at 6
        ("postgres", "numeric(5,10)", "opaque:numeric(5,10)"),
        ("spark", "interval day to second", "opaque:interval day to second"),
        ("postgres", "my_schema.my_enum", "opaque:my_schema.my_enum"),
        ("postgres", "integer not null", "opaque:integer not null"),
    ],
)
def test_unknown_types_stay_opaque_and_never_become_string(adapter: str, raw: str, opaque: str) -> None:
    canonical = parse_sql_type(raw, adapter)
    assert canonical == opaque
    assert compare_sql_types(canonical, canonical) is E
    assert compare_sql_types(canonical, "string") is X
    assert compare_sql_types("string", canonical) is X
    schema = json_schema_for_sql_type(canonical)
    assert schema["x-sql-type"] == opaque
    assert "maxLength" not in schema


LATTICE = [
    # integers
    ("int16", "int32", W),
    ("int32", "int64", W),
    ("int16", "int64", W),
    ("int64", "int32", N),
    ("int32", "int16", N),
    ("uint8", "int16", W),
    ("uint64", "int64", X),
    ("int64", "int128", W),
    # integers to floats and decimals
    ("int32", "float64", W),
    ("int16", "float32", W),
    ("int32", "float32", X),
    ("int64", "float64", X),
    ("float64", "int32", N),
    ("int32", "decimal(10,0)", W),
    ("int32", "decimal(12,2)", W),
    ("int32", "decimal(9,0)", N),  # every decimal(9,0) fits int32, not the reverse
    ("int64", "decimal(19,0)", W),
    ("int64", "decimal(38,0)", W),
    ("decimal(38,0)", "int64", N),
    ("decimal(9,0)", "int32", W),
    ("int32", "decimal", W),
    # decimals
    ("decimal(10,2)", "decimal(12,2)", W),
    ("decimal(12,2)", "decimal(10,2)", N),
    ("decimal(10,2)", "decimal(12,4)", W),
    ("decimal(10,2)", "decimal(10,4)", X),
    ("decimal(10,2)", "decimal(10,0)", X),
    ("decimal(10,2)", "decimal", W),
    ("decimal", "decimal(38,9)", N),
    ("decimal(10,2)", "float64", X),
    ("float64", "decimal(38,9)", X),
    # floats
    ("float32", "float64", W),
    ("float64", "float32", N),
    # strings
    ("string(10)", "string(20)", W),
    ("string(20)", "string(10)", N),
    ("string(10)", "string", W),
    ("string", "string(10)", N),
    ("char(3)", "string(3)", X),
    ("char(3)", "char(5)", X),
    ("string", "bytes", X),
    ("bytes(16)", "bytes", W),
    ("int32", "string", X),
    # temporal
    ("date", "timestamp_ntz(6)", W),
    ("timestamp_ntz(6)", "date", N),
    ("date", "timestamp_tz(6)", X),
    ("timestamp_ntz(6)", "timestamp_tz(6)", X),
    ("timestamp_tz(6)", "timestamp_ntz(6)", X),
    ("timestamp_tz(3)", "timestamp_tz(6)", W),
    ("timestamp_ntz(9)", "timestamp_ntz(6)", N),
    ("time(3)", "time(6)", W),
    ("time(6)", "time_tz(6)", X),
    # opaque names
    ("opaque:geography", "opaque:geography", E),
    ("opaque:geography", "opaque:geometry", X),
    ("opaque:geography", "string", X),
    # nested types recurse
    ("array<int32>", "array<int64>", W),
    ("array<int64>", "array<int32>", N),
    ("array<int32>", "array<string>", X),
    ("array<int32>", "int32", X),
    ("map<string,int32>", "map<string,int64>", W),
    ("struct<a:int32>", "struct<a:int32,b:string>", W),
    ("struct<a:int32,b:string>", "struct<a:int32>", N),
    ("struct<a:int32>", "struct<a:int64>", W),
    ("struct<a:int64>", "struct<a:int32,b:string>", X),
    ("struct<a:int32>", "struct<b:int32>", X),
    ("array<struct<a:int32>>", "array<struct<a:int64,b:date>>", W),
    ("array<opaque:`x y`>", "array<opaque:`x y`>", E),
    ("array<opaque:`x y`>", "array<opaque:`x z`>", X),
    ("bool", "bool", E),
    ("bool", "int32", X),
]


@pytest.mark.parametrize(("old", "new", "relation"), LATTICE, ids=[f"{o}->{n}" for o, n, _ in LATTICE])
def test_lattice_relation(old: str, new: str, relation: Relation) -> None:
    assert compare_sql_types(old, new) is relation


@pytest.mark.parametrize(("old", "new", "relation"), LATTICE, ids=[f"{o}->{n}" for o, n, _ in LATTICE])
def test_lattice_is_antisymmetric(old: str, new: str, relation: Relation) -> None:
    mirror = {W: N, N: W, E: E, X: X}[relation]
    assert compare_sql_types(new, old) is mirror


@pytest.mark.parametrize(
    ("adapter", "old", "new", "relation"),
    [
        ("postgres", "int", "integer", E),
        ("postgres", "int", "bigint", W),
        ("postgres", "varchar(10)", "varchar(20)", W),
        ("postgres", "varchar(20)", "text", W),
        ("postgres", "numeric(10,2)", "numeric(12,2)", W),
        ("postgres", "date", "timestamp", W),
        ("postgres", "date", "timestamptz", X),
        ("postgres", "timestamp", "timestamptz", X),
        ("postgres", "real", "double precision", W),
        ("snowflake", "int", "bigint", E),
        ("snowflake", "timestamp", "timestamp_ntz", E),
        ("snowflake", "varchar", "varchar(100)", N),
        ("bigquery", "int64", "numeric", W),  # 29 integer digits hold every INT64
        ("bigquery", "numeric", "bignumeric", W),
        ("duckdb", "varchar(10)", "varchar(5)", E),
        ("spark", "struct<a:int>", "struct<a:bigint,b:string>", W),
    ],
)
def test_adapter_types_through_the_lattice(adapter: str, old: str, new: str, relation: Relation) -> None:
    assert compare_sql_types(parse_sql_type(old, adapter), parse_sql_type(new, adapter)) is relation


def test_non_canonical_strings_compare_as_names() -> None:
    assert compare_sql_types("not a type(", "not a type(") is E
    assert compare_sql_types("not a type(", "int32") is X


@pytest.mark.parametrize(
    ("canonical", "expected"),
    [
        ("int32", {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}),
        ("int64", {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}),
        ("uint8", {"type": "integer", "minimum": 0, "maximum": 255}),
        (
            "decimal(10,2)",
            {"type": "number", "multipleOf": 0.01, "exclusiveMinimum": -(10**8), "exclusiveMaximum": 10**8},
        ),
        ("decimal(38,0)", {"type": "integer", "exclusiveMinimum": -(10**38), "exclusiveMaximum": 10**38}),
        ("decimal", {"type": "number"}),
        ("float64", {"type": "number"}),
        ("string(255)", {"type": "string", "maxLength": 255}),
        ("string", {"type": "string"}),
        ("char(3)", {"type": "string", "maxLength": 3}),
        ("bytes", {"type": "string", "contentEncoding": "base64"}),
        ("bool", {"type": "boolean"}),
        ("date", {"type": "string", "format": "date"}),
        ("timestamp_tz(6)", {"type": "string", "format": "date-time"}),
        ("timestamp_ntz(6)", {"type": "string", "x-format": "local-date-time"}),
        ("uuid", {"type": "string", "format": "uuid"}),
    ],
)
def test_json_schema_encodes_bounds(canonical: str, expected: dict[str, object]) -> None:
    assert json_schema_for_sql_type(canonical) == {**expected, "x-sql-type": canonical}


def test_json_schema_never_says_date_time_for_a_wall_clock_timestamp() -> None:
    assert "format" not in json_schema_for_sql_type("timestamp_ntz(6)")


def test_json_schema_of_nested_types_recurses_with_nullable_elements() -> None:
    schema = json_schema_for_sql_type("array<struct<a:int32,b:string(5)>>")
    assert schema["type"] == "array"
    item = schema["items"]
    assert item["type"] == ["null", "object"]
    assert item["additionalProperties"] is False
    assert item["properties"]["b"] == {"type": ["null", "string"], "maxLength": 5, "x-sql-type": "string(5)"}
    assert json_schema_for_sql_type("map<string,int64>")["additionalProperties"]["x-sql-type"] == "int64"


def test_json_schema_returns_independent_copies() -> None:
    first = json_schema_for_sql_type("array<int32>")
    first["items"]["maximum"] = 0
    first["type"] = "mutated"
    assert json_schema_for_sql_type("array<int32>")["items"]["maximum"] == 2**31 - 1
    assert json_schema_for_sql_type("array<int32>")["type"] == "array"


@pytest.mark.parametrize("bad", ["", "   ", None, 42])
def test_empty_or_non_string_type_is_invalid(bad: object) -> None:
    with pytest.raises(InvalidSchemaError, match="non-empty string"):
        parse_sql_type(bad, "postgres")  # type: ignore[arg-type]


def test_unknown_adapter_is_invalid() -> None:
    with pytest.raises(InvalidSchemaError, match="unknown SQL adapter 'oracle'"):
        parse_sql_type("int", "oracle")


def test_struct_field_names_with_delimiters_round_trip() -> None:
    canonical = parse_sql_type("struct<`a b`:int, c: string>", "spark")
    assert canonical == "struct<`a b`:int32,c:string>"
    assert compare_sql_types(canonical, "struct<`a b`:int64,c:string>") is W


def test_lattice_markdown_documents_every_adapter_and_the_rules() -> None:
    doc = lattice_markdown()
    for adapter in ADAPTERS:
        assert f"### {adapter}" in doc
    assert "`int4`" in doc
    assert "timestamp_ntz" in doc
    assert "| widening |" in doc
    assert "opaque:" in doc
