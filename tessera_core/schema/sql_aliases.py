"""Per-adapter alias tables: which type names each warehouse accepts, and what they mean.

Pure data plus the small constructors (:class:`Fixed`, :class:`Decimal`, :class:`Length`,
:class:`Float`, :class:`Temporal`, :class:`Nested`) that turn a name's parameters into a canonical
:class:`~tessera_core.schema.sql_lattice.SqlType` (``varchar(40)`` -> ``string(40)``). Adding an
adapter or an alias is an edit to this module only; ``docs/compatibility.md`` lists the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from tessera_core.schema.sql_lattice import SqlType

__all__ = ["ADAPTERS", "ALIAS_TABLES", "BRACKET_ARRAYS", "Ctor", "Nested"]

ADAPTERS: tuple[str, ...] = ("postgres", "duckdb", "snowflake", "bigquery", "redshift", "databricks", "spark")


# --------------------------------------------------------------------------------------------------
# Adapter alias tables
# --------------------------------------------------------------------------------------------------

Params = tuple[int | str, ...]


@dataclass(frozen=True, slots=True)
class Fixed:
    """An alias of one canonical type; takes no parameters."""

    target: SqlType

    def build(self, params: Params) -> SqlType | None:
        return None if params else self.target

    def describe(self) -> str:
        return self.target.render()


@dataclass(frozen=True, slots=True)
class Decimal:
    """``name[(p[,s])]``; ``default`` is (p, s) of the bare name, None = unbounded."""

    default: tuple[int, int] | None
    max_precision: int = 1000

    def build(self, params: Params) -> SqlType | None:
        if not params:
            return SqlType("decimal", self.default or ())
        if len(params) > 2 or not all(isinstance(p, int) for p in params):
            return None
        p, s = (int(params[0]), int(params[1]) if len(params) == 2 else 0)
        if not (1 <= p <= self.max_precision and 0 <= s <= p):
            return None
        return SqlType("decimal", (p, s))

    def describe(self) -> str:
        bare = f"decimal({self.default[0]},{self.default[1]})" if self.default else "decimal (unbounded)"
        return f"decimal(p,s); `(p)` = (p,0); bare = {bare}"


@dataclass(frozen=True, slots=True)
class Length:
    """``name[(n)]`` for ``string``/``char``/``bytes``. ``default``: length of the bare name
    (None = unbounded); ``max_length``: what ``MAX`` means; ``enforced=False``: lengths ignored."""

    kind: str
    default: int | None = None
    max_length: int | None = None
    enforced: bool = True
    accepts_length: bool = True

    def build(self, params: Params) -> SqlType | None:
        if not params:
            n = self.default
        elif len(params) != 1 or not self.accepts_length:
            return None
        elif isinstance(params[0], str):
            if params[0].lower() != "max" or self.max_length is None:
                return None
            n = self.max_length
        else:
            n = params[0]
        if not self.enforced or n is None:
            return SqlType("string" if self.kind == "char" else self.kind)
        return SqlType(self.kind, (n,)) if n >= 1 else None

    def describe(self) -> str:
        if not self.enforced:
            return f"{'string' if self.kind == 'char' else self.kind} (length not enforced)"
        bare = (
            f"{self.kind}({self.default})"
            if self.default
            else ("string" if self.kind == "char" else self.kind)
        )
        if not self.accepts_length:
            return bare
        extra = f"; `(max)` = {self.kind}({self.max_length})" if self.max_length else ""
        return f"{self.kind}(n); bare = {bare}{extra}"


@dataclass(frozen=True, slots=True)
class Float:
    """Postgres/Redshift ``float(p)``: p <= 24 is ``float32``, otherwise ``float64``."""

    def build(self, params: Params) -> SqlType | None:
        if not params:
            return SqlType("float", (64,))
        if len(params) != 1 or not isinstance(params[0], int) or not 1 <= params[0] <= 53:
            return None
        return SqlType("float", (32 if params[0] <= 24 else 64,))

    def describe(self) -> str:
        return "float64; `(p)` p<=24 = float32"


@dataclass(frozen=True, slots=True)
class Temporal:
    """``name[(p)]`` with fractional-second precision ``p`` (default ``default``)."""

    kind: str
    default: int
    max_precision: int = 9

    def build(self, params: Params) -> SqlType | None:
        if not params:
            return SqlType(self.kind, (self.default,))
        if len(params) != 1 or not isinstance(params[0], int) or params[0] > self.max_precision:
            return None
        return SqlType(self.kind, (params[0],))

    def describe(self) -> str:
        return f"{self.kind}(p); bare = {self.kind}({self.default})"


@dataclass(frozen=True, slots=True)
class Nested:
    """``array<T>``, ``map<K,V>``, ``struct<...>`` (also ``T[]``, ``STRUCT(a T)``, ``MAP(K, V)``).
    ``bare``: what the name means with no type arguments (Snowflake semi-structured ``ARRAY``)."""

    kind: str
    bare: SqlType | None = None

    def build(self, params: Params) -> SqlType | None:
        return None if params else self.bare

    def describe(self) -> str:
        shape = {"array": "array<T>", "map": "map<K,V>", "struct": "struct<name:T,...>"}[self.kind]
        return f"{shape}; bare = {self.bare.render()}" if self.bare else shape


Ctor = Fixed | Decimal | Length | Float | Temporal | Nested

INT8, INT16, INT32, INT64 = (SqlType("int", (b,)) for b in (8, 16, 32, 64))
FLOAT32, FLOAT64 = SqlType("float", (32,)), SqlType("float", (64,))
BOOL, DATE, JSON, UUID = SqlType("bool"), SqlType("date"), SqlType("json"), SqlType("uuid")


def _aliases(ctor: Ctor, *names: str) -> dict[str, Ctor]:
    return dict.fromkeys(names, ctor)


_POSTGRES: dict[str, Ctor] = {
    **_aliases(Fixed(SqlType("int", (16,))), "smallint", "int2", "smallserial", "serial2"),
    **_aliases(Fixed(INT32), "integer", "int", "int4", "serial", "serial4"),
    **_aliases(Fixed(INT64), "bigint", "int8", "bigserial", "serial8"),
    **_aliases(Fixed(FLOAT32), "real", "float4"),
    **_aliases(Fixed(FLOAT64), "double precision", "float8"),
    "float": Float(),
    **_aliases(Decimal(None), "numeric", "decimal"),
    **_aliases(Length("string"), "varchar", "character varying"),
    "text": Length("string", accepts_length=False),
    **_aliases(Length("char", default=1), "char", "character"),
    "bpchar": Length("char"),
    "bytea": Length("bytes", accepts_length=False),
    **_aliases(Fixed(BOOL), "boolean", "bool"),
    "date": Fixed(DATE),
    **_aliases(Temporal("time", 6, 6), "time", "time without time zone"),
    **_aliases(Temporal("time_tz", 6, 6), "timetz", "time with time zone"),
    **_aliases(Temporal("timestamp_ntz", 6, 6), "timestamp", "timestamp without time zone"),
    **_aliases(Temporal("timestamp_tz", 6, 6), "timestamptz", "timestamp with time zone"),
    **_aliases(Fixed(JSON), "json", "jsonb"),
    "uuid": Fixed(UUID),
}

_DUCKDB: dict[str, Ctor] = {
    **_aliases(Fixed(INT8), "tinyint", "int1"),
    **_aliases(Fixed(INT16), "smallint", "int2", "short"),
    **_aliases(Fixed(INT32), "integer", "int", "int4", "signed"),
    **_aliases(Fixed(INT64), "bigint", "int8", "long"),
    **_aliases(Fixed(SqlType("int", (128,))), "hugeint", "int128"),
    "utinyint": Fixed(SqlType("uint", (8,))),
    "usmallint": Fixed(SqlType("uint", (16,))),
    "uinteger": Fixed(SqlType("uint", (32,))),
    "ubigint": Fixed(SqlType("uint", (64,))),
    "uhugeint": Fixed(SqlType("uint", (128,))),
    **_aliases(Fixed(FLOAT32), "real", "float4", "float"),
    **_aliases(Fixed(FLOAT64), "double", "float8", "double precision"),
    **_aliases(Decimal((18, 3), 38), "decimal", "numeric"),
    # DuckDB accepts a length on VARCHAR/CHAR but does not enforce it: all are one string type
    **_aliases(
        Length("string", enforced=False),
        "varchar",
        "char",
        "bpchar",
        "text",
        "string",
        "character varying",
        "character",
        "nvarchar",
    ),
    **_aliases(Length("bytes", accepts_length=False), "blob", "bytea", "binary", "varbinary"),
    **_aliases(Fixed(BOOL), "boolean", "bool", "logical"),
    "date": Fixed(DATE),
    "time": Temporal("time", 6, 6),
    "timetz": Temporal("time_tz", 6, 6),
    **_aliases(Temporal("timestamp_ntz", 6, 6), "timestamp", "datetime", "timestamp without time zone"),
    "timestamp_s": Fixed(SqlType("timestamp_ntz", (0,))),
    "timestamp_ms": Fixed(SqlType("timestamp_ntz", (3,))),
    **_aliases(Fixed(SqlType("timestamp_ntz", (9,))), "timestamp_ns"),
    **_aliases(Temporal("timestamp_tz", 6, 6), "timestamptz", "timestamp with time zone"),
    "json": Fixed(JSON),
    "uuid": Fixed(UUID),
    "list": Nested("array"),
    "struct": Nested("struct"),
    "map": Nested("map"),
}

_SNOWFLAKE_NUMBER = SqlType("decimal", (38, 0))
_SNOWFLAKE: dict[str, Ctor] = {
    **_aliases(Decimal((38, 0), 38), "number", "decimal", "numeric"),
    # every Snowflake integer alias is NUMBER(38,0)
    **_aliases(Fixed(_SNOWFLAKE_NUMBER), "int", "integer", "bigint", "smallint", "tinyint", "byteint"),
    **_aliases(Fixed(FLOAT64), "float", "float4", "float8", "double", "double precision", "real"),
    **_aliases(
        Length("string", default=16_777_216),
        "varchar",
        "string",
        "text",
        "character varying",
        "nvarchar",
        "nvarchar2",
        "char varying",
        "nchar varying",
    ),
    **_aliases(Length("char", default=1), "char", "character", "nchar"),
    **_aliases(Length("bytes", default=8_388_608), "binary", "varbinary"),
    "boolean": Fixed(BOOL),
    "date": Fixed(DATE),
    "time": Temporal("time", 9),
    # TIMESTAMP maps to TIMESTAMP_NTZ under Snowflake's default TIMESTAMP_TYPE_MAPPING
    **_aliases(
        Temporal("timestamp_ntz", 9),
        "timestamp",
        "datetime",
        "timestamp_ntz",
        "timestamp without time zone",
    ),
    **_aliases(Temporal("timestamp_tz", 9), "timestamp_tz", "timestamp with time zone"),
    **_aliases(Temporal("timestamp_tz", 9), "timestamp_ltz", "timestamp with local time zone"),
    "variant": Fixed(JSON),
    "object": Nested("struct", bare=SqlType("map", args=(SqlType("string"), JSON))),
    "array": Nested("array", bare=SqlType("array", args=(JSON,))),
    "map": Nested("map"),
}

_BIGQUERY: dict[str, Ctor] = {
    **_aliases(Fixed(INT64), "int64", "int", "smallint", "integer", "bigint", "tinyint", "byteint"),
    **_aliases(Fixed(FLOAT64), "float64", "float"),
    **_aliases(Decimal((38, 9), 38), "numeric", "decimal"),
    **_aliases(Decimal((76, 38), 77), "bignumeric", "bigdecimal"),
    "string": Length("string"),
    "bytes": Length("bytes"),
    **_aliases(Fixed(BOOL), "bool", "boolean"),
    "date": Fixed(DATE),
    "time": Fixed(SqlType("time", (6,))),
    "datetime": Fixed(SqlType("timestamp_ntz", (6,))),
    "timestamp": Fixed(SqlType("timestamp_tz", (6,))),
    "json": Fixed(JSON),
    "array": Nested("array"),
    "struct": Nested("struct"),
}

_REDSHIFT: dict[str, Ctor] = {
    **_aliases(Fixed(INT16), "smallint", "int2"),
    **_aliases(Fixed(INT32), "integer", "int", "int4"),
    **_aliases(Fixed(INT64), "bigint", "int8"),
    **_aliases(Fixed(FLOAT32), "real", "float4"),
    **_aliases(Fixed(FLOAT64), "double precision", "float8"),
    "float": Float(),
    **_aliases(Decimal((18, 0), 38), "decimal", "numeric"),
    # a bare VARCHAR (and TEXT) is VARCHAR(256) on Redshift; VARCHAR(MAX) is 65535
    **_aliases(
        Length("string", default=256, max_length=65_535), "varchar", "character varying", "nvarchar", "text"
    ),
    **_aliases(Length("char", default=1, max_length=4_096), "char", "character", "nchar"),
    "bpchar": Length("char", default=256, accepts_length=False),
    **_aliases(
        Length("bytes", default=64_000, max_length=1_024_000), "varbyte", "varbinary", "binary varying"
    ),
    **_aliases(Fixed(BOOL), "boolean", "bool"),
    "date": Fixed(DATE),
    **_aliases(Temporal("time", 6, 6), "time", "time without time zone"),
    **_aliases(Temporal("time_tz", 6, 6), "timetz", "time with time zone"),
    **_aliases(Temporal("timestamp_ntz", 6, 6), "timestamp", "timestamp without time zone"),
    **_aliases(Temporal("timestamp_tz", 6, 6), "timestamptz", "timestamp with time zone"),
    "super": Fixed(JSON),
}

_SPARK: dict[str, Ctor] = {
    **_aliases(Fixed(INT8), "tinyint", "byte"),
    **_aliases(Fixed(INT16), "smallint", "short"),
    **_aliases(Fixed(INT32), "int", "integer"),
    **_aliases(Fixed(INT64), "bigint", "long"),
    **_aliases(Fixed(FLOAT32), "float", "real"),
    "double": Fixed(FLOAT64),
    **_aliases(Decimal((10, 0), 38), "decimal", "dec", "numeric"),
    "string": Length("string", accepts_length=False),
    **_aliases(Length("string", default=None), "varchar"),
    "char": Length("char", default=1),
    "binary": Length("bytes", accepts_length=False),
    "boolean": Fixed(BOOL),
    "date": Fixed(DATE),
    # Spark's TIMESTAMP is TIMESTAMP_LTZ: an instant, rendered in the session time zone
    **_aliases(Fixed(SqlType("timestamp_tz", (6,))), "timestamp", "timestamp_ltz"),
    "timestamp_ntz": Fixed(SqlType("timestamp_ntz", (6,))),
    "array": Nested("array"),
    "map": Nested("map"),
    "struct": Nested("struct"),
}

_DATABRICKS: dict[str, Ctor] = {**_SPARK, "variant": Fixed(JSON)}

ALIAS_TABLES: dict[str, dict[str, Ctor]] = {
    "postgres": _POSTGRES,
    "duckdb": _DUCKDB,
    "snowflake": _SNOWFLAKE,
    "bigquery": _BIGQUERY,
    "redshift": _REDSHIFT,
    "databricks": _DATABRICKS,
    "spark": _SPARK,
}
# adapters whose element type suffix ``T[]`` means an array (``INTEGER[]``)
BRACKET_ARRAYS = frozenset({"postgres", "duckdb"})
