"""The SQL type lattice: per-adapter aliases to canonical types, and how canonical types relate.

A warehouse type string (``"character varying(40)"`` on Postgres, ``"NUMBER(38,0)"`` on Snowflake)
is first parsed with the adapter's alias table into a canonical type string (``"string(40)"``,
``"decimal(38,0)"``). Two canonical types are then compared by value-set inclusion
(compat-semantics.md §8.2): ``old -> new`` is a *widening* when every old value is representable
in the new type, a *narrowing* when the reverse holds, *equivalent* when both, *incomparable*
otherwise. Types an adapter does not know are kept verbatim as ``opaque:<name>`` and compare equal
only to the same name — never silently mapped to ``string``.

Canonical grammar::

    int8 int16 int32 int64 int128 uint8 ... uint128 float32 float64
    decimal | decimal(p,s)            (bare ``decimal`` = unbounded)
    string | string(n) | char(n) | bytes | bytes(n)
    bool date time(p) time_tz(p) timestamp_ntz(p) timestamp_tz(p) json uuid
    array<T> | map<K,V> | struct<name:T,...>   (names with delimiters in backticks)
    opaque:<name>                              (nested: opaque:`<name>` when it has delimiters)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tessera_core.errors import InvalidSchemaError
from tessera_core.types import Relation

__all__ = [
    "ADAPTERS",
    "compare_sql_types",
    "json_schema_for_sql_type",
    "lattice_markdown",
    "parse_sql_type",
]

ADAPTERS: tuple[str, ...] = ("postgres", "duckdb", "snowflake", "bigquery", "redshift", "databricks", "spark")


# --------------------------------------------------------------------------------------------------
# The canonical type tree
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SqlType:
    """A parsed canonical type. ``params``: bits (ints/floats), (p, s) decimals, (n,) lengths,
    (p,) fractional-second precision; empty when unbounded. ``args``: element/key/value/field types."""

    kind: str
    params: tuple[int, ...] = ()
    args: tuple[SqlType, ...] = ()
    names: tuple[str, ...] = ()
    opaque: str = ""

    def render(self, nested: bool = False) -> str:
        """The canonical string of this type."""
        return _RENDERERS[self.kind](self, nested)


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def _quote(name: str) -> str:
    return name if _PLAIN_NAME.fullmatch(name) else f"`{name}`"


def _render_params(t: SqlType, nested: bool) -> str:
    return f"{t.kind}({','.join(map(str, t.params))})" if t.params else t.kind


_RENDERERS: dict[str, Callable[[SqlType, bool], str]] = {
    "int": lambda t, n: f"int{t.params[0]}",
    "uint": lambda t, n: f"uint{t.params[0]}",
    "float": lambda t, n: f"float{t.params[0]}",
    "decimal": _render_params,
    "string": _render_params,
    "char": _render_params,
    "bytes": _render_params,
    "time": _render_params,
    "time_tz": _render_params,
    "timestamp_ntz": _render_params,
    "timestamp_tz": _render_params,
    "bool": lambda t, n: "bool",
    "date": lambda t, n: "date",
    "json": lambda t, n: "json",
    "uuid": lambda t, n: "uuid",
    "array": lambda t, n: f"array<{t.args[0].render(True)}>",
    "map": lambda t, n: f"map<{t.args[0].render(True)},{t.args[1].render(True)}>",
    "struct": lambda t, n: (
        "struct<"
        + ",".join(f"{_quote(name)}:{arg.render(True)}" for name, arg in zip(t.names, t.args, strict=True))
        + ">"
    ),
    "opaque": lambda t, n: f"opaque:{_quote(t.opaque) if n else t.opaque}",
}

_INT_RANGES: dict[tuple[str, int], tuple[int, int]] = {
    **{("int", b): (-(2 ** (b - 1)), 2 ** (b - 1) - 1) for b in (8, 16, 32, 64, 128)},
    **{("uint", b): (0, 2**b - 1) for b in (8, 16, 32, 64, 128)},
}
_FLOAT_MANTISSA_BITS = {32: 24, 64: 53}
_FLOAT32_MAX = 3.4028234663852886e38


def _int_range(t: SqlType) -> tuple[int, int]:
    return _INT_RANGES[(t.kind, t.params[0])]


def _decimal_digits(t: SqlType) -> tuple[int, int] | None:
    """(integer digits, scale) of a decimal, None when unbounded."""
    return (t.params[0] - t.params[1], t.params[1]) if t.params else None


# --------------------------------------------------------------------------------------------------
# Value-set inclusion: every value of ``a`` is a value of ``b``
# --------------------------------------------------------------------------------------------------


def _fits_int(a: SqlType, b: SqlType) -> bool:
    lo, hi = _int_range(a)
    if b.kind in ("int", "uint"):
        blo, bhi = _int_range(b)
        return blo <= lo and hi <= bhi
    if b.kind == "float":
        # exact only when every integer fits the mantissa (int32 -> float32 is lossy: incomparable)
        return max(abs(lo), hi).bit_length() <= _FLOAT_MANTISSA_BITS[b.params[0]]
    if b.kind == "decimal":
        digits = _decimal_digits(b)
        return digits is None or max(abs(lo), hi) < 10 ** digits[0]
    return False


def _fits_decimal(a: SqlType, b: SqlType) -> bool:
    da = _decimal_digits(a)
    if b.kind == "decimal":
        db = _decimal_digits(b)
        if db is None:
            return True
        return da is not None and db[0] >= da[0] and db[1] >= da[1]
    if b.kind in ("int", "uint") and da is not None and da[1] == 0:
        lo, hi = _int_range(b)
        largest: int = 10 ** da[0] - 1
        return lo <= -largest and largest <= hi
    return False


def _fits_length(a: SqlType, b: SqlType) -> bool:
    if a.kind != b.kind:
        return False
    if not b.params:
        return a.kind != "char"
    return bool(a.params) and a.params[0] <= b.params[0]


def _fits_precision(a: SqlType, b: SqlType) -> bool:
    return b.kind == a.kind and a.params[0] <= b.params[0]


def _fits_struct(a: SqlType, b: SqlType) -> bool:
    if b.kind != "struct":
        return False
    fields_b = dict(zip(b.names, b.args, strict=True))
    # a struct gaining a (nullable) field still holds every old value; losing one does not
    return all(
        name in fields_b and _fits(arg, fields_b[name]) for name, arg in zip(a.names, a.args, strict=True)
    )


_FITS: dict[str, Callable[[SqlType, SqlType], bool]] = {
    "int": _fits_int,
    "uint": _fits_int,
    "float": lambda a, b: b.kind == "float" and a.params[0] <= b.params[0],
    "decimal": _fits_decimal,
    "string": _fits_length,
    "char": lambda a, b: a == b,
    "bytes": _fits_length,
    # a date is midnight of a wall-clock day: a timestamp without time zone, never an instant
    "date": lambda a, b: b.kind == "timestamp_ntz",
    "time": _fits_precision,
    "time_tz": _fits_precision,
    "timestamp_ntz": _fits_precision,
    "timestamp_tz": _fits_precision,
    "array": lambda a, b: b.kind == "array" and _fits(a.args[0], b.args[0]),
    "map": lambda a, b: b.kind == "map" and _fits(a.args[0], b.args[0]) and _fits(a.args[1], b.args[1]),
    "struct": _fits_struct,
}


def _fits(a: SqlType, b: SqlType) -> bool:
    if a == b:
        return True
    check = _FITS.get(a.kind)
    return check is not None and check(a, b)


@lru_cache(maxsize=4096)
def compare_sql_types(old: str, new: str) -> Relation:
    """Relation between two canonical ``x-sql-type`` strings, ``old -> new`` (compat-semantics §8.2).

    ``widening``: every old value is a new value (backward-compatible); ``narrowing``: the
    reverse (forward-compatible); ``equivalent``: same type; ``incomparable``: neither (opaque
    names that differ, ``timestamp_ntz`` vs ``timestamp_tz``, lossy numeric conversions, ...).
    Strings that are not canonical are compared as opaque names.
    """
    if old == new:
        return Relation.EQUIVALENT
    a, b = _parse_canonical_or_opaque(old), _parse_canonical_or_opaque(new)
    up, down = _fits(a, b), _fits(b, a)
    if up and down:
        return Relation.EQUIVALENT
    if up:
        return Relation.WIDENING
    if down:
        return Relation.NARROWING
    return Relation.INCOMPARABLE


# --------------------------------------------------------------------------------------------------
# Tokenizer shared by the canonical and the adapter parsers
# --------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(`[^`]*`|\"[^\"]*\")|([A-Za-z_][A-Za-z0-9_$]*)|(\d+)|([<>(),\[\]:]))")


class _Unparsable(Exception):
    """The string is not in the grammar (the caller keeps it as an opaque name)."""


class _Tokens:
    def __init__(self, text: str) -> None:
        self.items: list[tuple[str, str]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise _Unparsable(text)
            quoted, ident, number, punct = m.groups()
            if quoted is not None:
                self.items.append(("id", quoted[1:-1]))
            elif ident is not None:
                self.items.append(("word", ident))
            elif number is not None:
                self.items.append(("num", number))
            else:
                self.items.append(("p", punct))
            pos = m.end()
        self.pos = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        i = self.pos + offset
        return self.items[i] if i < len(self.items) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.pos += 1
        return tok

    def expect(self, punct: str) -> None:
        if self.take() != ("p", punct):
            raise _Unparsable(punct)

    def at(self, punct: str) -> bool:
        return self.peek() == ("p", punct)


# --------------------------------------------------------------------------------------------------
# Canonical strings -> SqlType
# --------------------------------------------------------------------------------------------------

_CANONICAL_SCALARS: dict[str, SqlType] = {
    **{f"int{b}": SqlType("int", (b,)) for b in (8, 16, 32, 64, 128)},
    **{f"uint{b}": SqlType("uint", (b,)) for b in (8, 16, 32, 64, 128)},
    "float32": SqlType("float", (32,)),
    "float64": SqlType("float", (64,)),
    "bool": SqlType("bool"),
    "date": SqlType("date"),
    "json": SqlType("json"),
    "uuid": SqlType("uuid"),
}
_CANONICAL_PARAMETRIZED = {"decimal": (0, 2), "string": (0, 1), "char": (1, 1), "bytes": (0, 1)}
_CANONICAL_PRECISION = ("time", "time_tz", "timestamp_ntz", "timestamp_tz")


def _parse_canonical_type(tokens: _Tokens) -> SqlType:
    kind, word = tokens.take()
    if kind != "word":
        raise _Unparsable(word)
    if word == "opaque":
        tokens.expect(":")
        kind, name = tokens.take()
        if kind not in ("word", "id"):
            raise _Unparsable(name)
        return SqlType("opaque", opaque=name)
    if word in _CANONICAL_SCALARS:
        return _CANONICAL_SCALARS[word]
    if word in ("array", "map", "struct"):
        tokens.expect("<")
        names: list[str] = []
        args: list[SqlType] = []
        while True:
            if word == "struct":
                kind, name = tokens.take()
                if kind not in ("word", "id", "num"):
                    raise _Unparsable(name)
                names.append(name)
                tokens.expect(":")
            args.append(_parse_canonical_type(tokens))
            if not tokens.at(","):
                break
            tokens.take()
        tokens.expect(">")
        expected = {"array": 1, "map": 2}.get(word, len(args))
        if len(args) != expected:
            raise _Unparsable(word)
        return SqlType(word, args=tuple(args), names=tuple(names))
    params = _parse_int_params(tokens)
    if word in _CANONICAL_PRECISION and len(params) == 1:
        return SqlType(word, params)
    if word in _CANONICAL_PARAMETRIZED:
        lo, hi = _CANONICAL_PARAMETRIZED[word]
        if lo <= len(params) <= hi and (len(params) != 1 or word != "decimal"):
            return SqlType(word, params)
    raise _Unparsable(word)


def _parse_int_params(tokens: _Tokens) -> tuple[int, ...]:
    if not tokens.at("("):
        return ()
    tokens.take()
    params: list[int] = []
    while True:
        kind, value = tokens.take()
        if kind != "num":
            raise _Unparsable(value)
        params.append(int(value))
        if tokens.at(")"):
            tokens.take()
            return tuple(params)
        tokens.expect(",")


@lru_cache(maxsize=4096)
def _parse_canonical_or_opaque(canonical: str) -> SqlType:
    if canonical.startswith("opaque:"):
        return SqlType("opaque", opaque=canonical[len("opaque:") :])
    try:
        tokens = _Tokens(canonical)
        parsed = _parse_canonical_type(tokens)
        if tokens.peek()[0] != "end":
            raise _Unparsable(canonical)
    except _Unparsable:
        return SqlType("opaque", opaque=canonical)
    return parsed


# --------------------------------------------------------------------------------------------------
# Adapter alias tables
# --------------------------------------------------------------------------------------------------

Params = tuple[int | str, ...]


@dataclass(frozen=True, slots=True)
class _Fixed:
    """An alias of one canonical type; takes no parameters."""

    target: SqlType

    def build(self, params: Params) -> SqlType | None:
        return None if params else self.target

    def describe(self) -> str:
        return self.target.render()


@dataclass(frozen=True, slots=True)
class _Decimal:
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
class _Length:
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
class _Float:
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
class _Temporal:
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
class _Nested:
    """``array<T>``, ``map<K,V>``, ``struct<...>`` (also ``T[]``, ``STRUCT(a T)``, ``MAP(K, V)``).
    ``bare``: what the name means with no type arguments (Snowflake semi-structured ``ARRAY``)."""

    kind: str
    bare: SqlType | None = None

    def build(self, params: Params) -> SqlType | None:
        return None if params else self.bare

    def describe(self) -> str:
        shape = {"array": "array<T>", "map": "map<K,V>", "struct": "struct<name:T,...>"}[self.kind]
        return f"{shape}; bare = {self.bare.render()}" if self.bare else shape


_Ctor = _Fixed | _Decimal | _Length | _Float | _Temporal | _Nested

INT8, INT16, INT32, INT64 = (SqlType("int", (b,)) for b in (8, 16, 32, 64))
FLOAT32, FLOAT64 = SqlType("float", (32,)), SqlType("float", (64,))
BOOL, DATE, JSON, UUID = SqlType("bool"), SqlType("date"), SqlType("json"), SqlType("uuid")


def _aliases(ctor: _Ctor, *names: str) -> dict[str, _Ctor]:
    return dict.fromkeys(names, ctor)


_POSTGRES: dict[str, _Ctor] = {
    **_aliases(_Fixed(SqlType("int", (16,))), "smallint", "int2", "smallserial", "serial2"),
    **_aliases(_Fixed(INT32), "integer", "int", "int4", "serial", "serial4"),
    **_aliases(_Fixed(INT64), "bigint", "int8", "bigserial", "serial8"),
    **_aliases(_Fixed(FLOAT32), "real", "float4"),
    **_aliases(_Fixed(FLOAT64), "double precision", "float8"),
    "float": _Float(),
    **_aliases(_Decimal(None), "numeric", "decimal"),
    **_aliases(_Length("string"), "varchar", "character varying"),
    "text": _Length("string", accepts_length=False),
    **_aliases(_Length("char", default=1), "char", "character"),
    "bpchar": _Length("char"),
    "bytea": _Length("bytes", accepts_length=False),
    **_aliases(_Fixed(BOOL), "boolean", "bool"),
    "date": _Fixed(DATE),
    **_aliases(_Temporal("time", 6, 6), "time", "time without time zone"),
    **_aliases(_Temporal("time_tz", 6, 6), "timetz", "time with time zone"),
    **_aliases(_Temporal("timestamp_ntz", 6, 6), "timestamp", "timestamp without time zone"),
    **_aliases(_Temporal("timestamp_tz", 6, 6), "timestamptz", "timestamp with time zone"),
    **_aliases(_Fixed(JSON), "json", "jsonb"),
    "uuid": _Fixed(UUID),
}

_DUCKDB: dict[str, _Ctor] = {
    **_aliases(_Fixed(INT8), "tinyint", "int1"),
    **_aliases(_Fixed(INT16), "smallint", "int2", "short"),
    **_aliases(_Fixed(INT32), "integer", "int", "int4", "signed"),
    **_aliases(_Fixed(INT64), "bigint", "int8", "long"),
    **_aliases(_Fixed(SqlType("int", (128,))), "hugeint", "int128"),
    "utinyint": _Fixed(SqlType("uint", (8,))),
    "usmallint": _Fixed(SqlType("uint", (16,))),
    "uinteger": _Fixed(SqlType("uint", (32,))),
    "ubigint": _Fixed(SqlType("uint", (64,))),
    "uhugeint": _Fixed(SqlType("uint", (128,))),
    **_aliases(_Fixed(FLOAT32), "real", "float4", "float"),
    **_aliases(_Fixed(FLOAT64), "double", "float8", "double precision"),
    **_aliases(_Decimal((18, 3), 38), "decimal", "numeric"),
    # DuckDB accepts a length on VARCHAR/CHAR but does not enforce it: all are one string type
    **_aliases(
        _Length("string", enforced=False),
        "varchar",
        "char",
        "bpchar",
        "text",
        "string",
        "character varying",
        "character",
        "nvarchar",
    ),
    **_aliases(_Length("bytes", accepts_length=False), "blob", "bytea", "binary", "varbinary"),
    **_aliases(_Fixed(BOOL), "boolean", "bool", "logical"),
    "date": _Fixed(DATE),
    "time": _Temporal("time", 6, 6),
    "timetz": _Temporal("time_tz", 6, 6),
    **_aliases(_Temporal("timestamp_ntz", 6, 6), "timestamp", "datetime", "timestamp without time zone"),
    "timestamp_s": _Fixed(SqlType("timestamp_ntz", (0,))),
    "timestamp_ms": _Fixed(SqlType("timestamp_ntz", (3,))),
    **_aliases(_Fixed(SqlType("timestamp_ntz", (9,))), "timestamp_ns"),
    **_aliases(_Temporal("timestamp_tz", 6, 6), "timestamptz", "timestamp with time zone"),
    "json": _Fixed(JSON),
    "uuid": _Fixed(UUID),
    "list": _Nested("array"),
    "struct": _Nested("struct"),
    "map": _Nested("map"),
}

_SNOWFLAKE_NUMBER = SqlType("decimal", (38, 0))
_SNOWFLAKE: dict[str, _Ctor] = {
    **_aliases(_Decimal((38, 0), 38), "number", "decimal", "numeric"),
    # every Snowflake integer alias is NUMBER(38,0)
    **_aliases(_Fixed(_SNOWFLAKE_NUMBER), "int", "integer", "bigint", "smallint", "tinyint", "byteint"),
    **_aliases(_Fixed(FLOAT64), "float", "float4", "float8", "double", "double precision", "real"),
    **_aliases(
        _Length("string", default=16_777_216),
        "varchar",
        "string",
        "text",
        "character varying",
        "nvarchar",
        "nvarchar2",
        "char varying",
        "nchar varying",
    ),
    **_aliases(_Length("char", default=1), "char", "character", "nchar"),
    **_aliases(_Length("bytes", default=8_388_608), "binary", "varbinary"),
    "boolean": _Fixed(BOOL),
    "date": _Fixed(DATE),
    "time": _Temporal("time", 9),
    # TIMESTAMP maps to TIMESTAMP_NTZ under Snowflake's default TIMESTAMP_TYPE_MAPPING
    **_aliases(
        _Temporal("timestamp_ntz", 9),
        "timestamp",
        "datetime",
        "timestamp_ntz",
        "timestamp without time zone",
    ),
    **_aliases(_Temporal("timestamp_tz", 9), "timestamp_tz", "timestamp with time zone"),
    **_aliases(_Temporal("timestamp_tz", 9), "timestamp_ltz", "timestamp with local time zone"),
    "variant": _Fixed(JSON),
    "object": _Nested("struct", bare=SqlType("map", args=(SqlType("string"), JSON))),
    "array": _Nested("array", bare=SqlType("array", args=(JSON,))),
    "map": _Nested("map"),
}

_BIGQUERY: dict[str, _Ctor] = {
    **_aliases(_Fixed(INT64), "int64", "int", "smallint", "integer", "bigint", "tinyint", "byteint"),
    **_aliases(_Fixed(FLOAT64), "float64", "float"),
    **_aliases(_Decimal((38, 9), 38), "numeric", "decimal"),
    **_aliases(_Decimal((76, 38), 77), "bignumeric", "bigdecimal"),
    "string": _Length("string"),
    "bytes": _Length("bytes"),
    **_aliases(_Fixed(BOOL), "bool", "boolean"),
    "date": _Fixed(DATE),
    "time": _Fixed(SqlType("time", (6,))),
    "datetime": _Fixed(SqlType("timestamp_ntz", (6,))),
    "timestamp": _Fixed(SqlType("timestamp_tz", (6,))),
    "json": _Fixed(JSON),
    "array": _Nested("array"),
    "struct": _Nested("struct"),
}

_REDSHIFT: dict[str, _Ctor] = {
    **_aliases(_Fixed(INT16), "smallint", "int2"),
    **_aliases(_Fixed(INT32), "integer", "int", "int4"),
    **_aliases(_Fixed(INT64), "bigint", "int8"),
    **_aliases(_Fixed(FLOAT32), "real", "float4"),
    **_aliases(_Fixed(FLOAT64), "double precision", "float8"),
    "float": _Float(),
    **_aliases(_Decimal((18, 0), 38), "decimal", "numeric"),
    # a bare VARCHAR (and TEXT) is VARCHAR(256) on Redshift; VARCHAR(MAX) is 65535
    **_aliases(
        _Length("string", default=256, max_length=65_535), "varchar", "character varying", "nvarchar", "text"
    ),
    **_aliases(_Length("char", default=1, max_length=4_096), "char", "character", "nchar"),
    "bpchar": _Length("char", default=256, accepts_length=False),
    **_aliases(
        _Length("bytes", default=64_000, max_length=1_024_000), "varbyte", "varbinary", "binary varying"
    ),
    **_aliases(_Fixed(BOOL), "boolean", "bool"),
    "date": _Fixed(DATE),
    **_aliases(_Temporal("time", 6, 6), "time", "time without time zone"),
    **_aliases(_Temporal("time_tz", 6, 6), "timetz", "time with time zone"),
    **_aliases(_Temporal("timestamp_ntz", 6, 6), "timestamp", "timestamp without time zone"),
    **_aliases(_Temporal("timestamp_tz", 6, 6), "timestamptz", "timestamp with time zone"),
    "super": _Fixed(JSON),
}

_SPARK: dict[str, _Ctor] = {
    **_aliases(_Fixed(INT8), "tinyint", "byte"),
    **_aliases(_Fixed(INT16), "smallint", "short"),
    **_aliases(_Fixed(INT32), "int", "integer"),
    **_aliases(_Fixed(INT64), "bigint", "long"),
    **_aliases(_Fixed(FLOAT32), "float", "real"),
    "double": _Fixed(FLOAT64),
    **_aliases(_Decimal((10, 0), 38), "decimal", "dec", "numeric"),
    "string": _Length("string", accepts_length=False),
    **_aliases(_Length("string", default=None), "varchar"),
    "char": _Length("char", default=1),
    "binary": _Length("bytes", accepts_length=False),
    "boolean": _Fixed(BOOL),
    "date": _Fixed(DATE),
    # Spark's TIMESTAMP is TIMESTAMP_LTZ: an instant, rendered in the session time zone
    **_aliases(_Fixed(SqlType("timestamp_tz", (6,))), "timestamp", "timestamp_ltz"),
    "timestamp_ntz": _Fixed(SqlType("timestamp_ntz", (6,))),
    "array": _Nested("array"),
    "map": _Nested("map"),
    "struct": _Nested("struct"),
}

_DATABRICKS: dict[str, _Ctor] = {**_SPARK, "variant": _Fixed(JSON)}

_ALIAS_TABLES: dict[str, dict[str, _Ctor]] = {
    "postgres": _POSTGRES,
    "duckdb": _DUCKDB,
    "snowflake": _SNOWFLAKE,
    "bigquery": _BIGQUERY,
    "redshift": _REDSHIFT,
    "databricks": _DATABRICKS,
    "spark": _SPARK,
}
# adapters whose element type suffix ``T[]`` means an array (``INTEGER[]``)
_BRACKET_ARRAYS = frozenset({"postgres", "duckdb"})


# --------------------------------------------------------------------------------------------------
# Adapter type strings -> SqlType
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _RawType:
    words: list[str] = field(default_factory=list)
    params: list[int | str] = field(default_factory=list)
    args: list[SqlType] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    has_args: bool = False


_STOP = {("p", ","), ("p", ">"), ("p", ")"), ("p", "["), ("p", "]"), ("p", "<"), ("end", "")}
_TYPE_ARG_NAMES = frozenset({"struct", "map", "array", "list", "object", "row", "union"})


def _parse_raw_type(tokens: _Tokens, table: Mapping[str, _Ctor], adapter: str) -> SqlType:
    raw = _RawType()
    while tokens.peek() not in _STOP:
        kind, value = tokens.take()
        if kind == "word":
            raw.words.append(value.lower())
        elif (kind, value) == ("p", "("):
            base = raw.words[-1] if raw.words else ""
            if base in _TYPE_ARG_NAMES:
                _parse_type_args(tokens, table, adapter, raw, base, closing=")")
            else:
                raw.params.extend(_parse_raw_params(tokens))
        else:
            raise _Unparsable(value)
    if tokens.at("<"):
        tokens.take()
        _parse_type_args(tokens, table, adapter, raw, raw.words[-1] if raw.words else "", closing=">")
    result = _resolve(raw, table)
    while tokens.at("[") and adapter in _BRACKET_ARRAYS:
        tokens.take()
        if tokens.peek()[0] == "num":
            tokens.take()  # fixed-size arrays (DuckDB ARRAY) hold the same values per element
        tokens.expect("]")
        result = SqlType("array", args=(result,))
    return result


def _parse_raw_params(tokens: _Tokens) -> list[int | str]:
    params: list[int | str] = []
    while True:
        kind, value = tokens.take()
        if kind == "num":
            params.append(int(value))
        elif kind == "word":
            params.append(value)
        else:
            raise _Unparsable(value)
        if tokens.at(")"):
            tokens.take()
            return params
        tokens.expect(",")


def _parse_type_args(
    tokens: _Tokens, table: Mapping[str, _Ctor], adapter: str, raw: _RawType, base: str, closing: str
) -> None:
    raw.has_args = True
    named = base in ("struct", "object", "row")
    while not tokens.at(closing):
        if named:
            kind, name = tokens.take()
            if kind not in ("word", "id"):
                raise _Unparsable(name)
            if tokens.at(":"):
                tokens.take()
            if tokens.peek() in (("p", ","), ("p", closing)):
                raise _Unparsable(name)  # an unnamed struct field: keep the whole type opaque
            raw.names.append(name)
        raw.args.append(_parse_raw_type(tokens, table, adapter))
        if not tokens.at(","):
            break
        tokens.take()
    tokens.expect(closing)


def _resolve(raw: _RawType, table: Mapping[str, _Ctor]) -> SqlType:
    words = raw.words
    if len(words) > 1 and words[-1] == "array" and not raw.has_args:
        # Postgres ``integer ARRAY``
        inner = _resolve(_RawType(words[:-1], raw.params), table)
        return SqlType("array", args=(inner,))
    ctor = table.get(" ".join(words))
    if ctor is None:
        raise _Unparsable(" ".join(words))
    if isinstance(ctor, _Nested) and raw.has_args:
        expected = {"array": 1, "map": 2}.get(ctor.kind, len(raw.args))
        if raw.params or len(raw.args) != expected or not raw.args:
            raise _Unparsable(ctor.kind)
        return SqlType(ctor.kind, args=tuple(raw.args), names=tuple(raw.names))
    if raw.has_args:
        raise _Unparsable(" ".join(words))
    built = ctor.build(tuple(raw.params))
    if built is None:
        raise _Unparsable(" ".join(words))
    return built


_WS = re.compile(r"\s+")
_SPACE_BEFORE_CLOSE = re.compile(r"\s+([,)>\]])")
_SPACE_AFTER_OPEN = re.compile(r"([(<\[,])\s+")


def _opaque_name(raw: str) -> str:
    text = _WS.sub(" ", raw.strip().lower())
    return _SPACE_AFTER_OPEN.sub(r"\1", _SPACE_BEFORE_CLOSE.sub(r"\1", text))


def opaque_sql_type(raw: str) -> str:
    """The canonical ``opaque:<name>`` string for a type Tessera does not interpret."""
    return f"opaque:{_opaque_name(raw)}"


@lru_cache(maxsize=8192)
def _parse_cached(raw: str, adapter: str) -> str:
    table = _ALIAS_TABLES[adapter]
    try:
        tokens = _Tokens(raw)
        parsed = _parse_raw_type(tokens, table, adapter)
        if tokens.peek()[0] != "end":
            raise _Unparsable(raw)
    except (_Unparsable, IndexError):
        return opaque_sql_type(raw)
    return parsed.render()


def parse_sql_type(raw: str, adapter: str = "postgres") -> str:
    """Canonical type string of the adapter type ``raw`` (e.g. ``"int4"`` -> ``"int32"``).

    Types the adapter's alias table does not know, or with parameters it cannot interpret,
    become ``opaque:<raw lowercased, whitespace-normalized>``. Raises
    :class:`~tessera_core.errors.InvalidSchemaError` for an empty type or an unknown adapter.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidSchemaError(f"SQL type must be a non-empty string, got {raw!r}")
    if adapter not in _ALIAS_TABLES:
        raise InvalidSchemaError(f"unknown SQL adapter {adapter!r}; expected one of {', '.join(ADAPTERS)}")
    return _parse_cached(raw, adapter)


# --------------------------------------------------------------------------------------------------
# JSON Schema encoding (compat-semantics §8.2 step 4)
# --------------------------------------------------------------------------------------------------

_ANY_NON_NULL = ["array", "boolean", "number", "object", "string"]


def _int_schema(t: SqlType) -> dict[str, Any]:
    lo, hi = _int_range(t)
    return {"type": "integer", "minimum": lo, "maximum": hi}


def _decimal_schema(t: SqlType) -> dict[str, Any]:
    digits = _decimal_digits(t)
    if digits is None:
        return {"type": "number"}
    whole, scale = digits
    schema: dict[str, Any] = {"type": "integer" if scale == 0 else "number"}
    if scale:
        schema["multipleOf"] = float(f"1e-{scale}")
    schema["exclusiveMinimum"] = -(10**whole)
    schema["exclusiveMaximum"] = 10**whole
    return schema


def _length_schema(t: SqlType) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if t.kind == "bytes":
        schema["contentEncoding"] = "base64"
        if t.params:
            schema["maxLength"] = 4 * -(-t.params[0] // 3)
    elif t.params:
        schema["maxLength"] = t.params[0]
    return schema


def _nested_nullable(t: SqlType) -> dict[str, Any]:
    # elements and fields of SQL collections may be NULL
    return _nullable(_schema_of(t))


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    types = schema.get("type")
    if types is None:
        return schema
    types = [types] if isinstance(types, str) else list(types)
    if "null" not in types:
        types.append("null")
    return {**schema, "type": sorted(types)}


def _struct_schema(t: SqlType) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: _nested_nullable(arg) for name, arg in zip(t.names, t.args, strict=True)},
        "additionalProperties": False,
    }


_SCHEMAS: dict[str, Callable[[SqlType], dict[str, Any]]] = {
    "int": _int_schema,
    "uint": _int_schema,
    "float": lambda t: (
        {"type": "number"}
        if t.params[0] == 64
        else {"type": "number", "minimum": -_FLOAT32_MAX, "maximum": _FLOAT32_MAX}
    ),
    "decimal": _decimal_schema,
    "string": _length_schema,
    "char": _length_schema,
    "bytes": _length_schema,
    "bool": lambda t: {"type": "boolean"},
    "date": lambda t: {"type": "string", "format": "date"},
    "time": lambda t: {"type": "string", "x-format": "local-time"},
    "time_tz": lambda t: {"type": "string", "format": "time"},
    "timestamp_ntz": lambda t: {"type": "string", "x-format": "local-date-time"},
    "timestamp_tz": lambda t: {"type": "string", "format": "date-time"},
    "uuid": lambda t: {"type": "string", "format": "uuid"},
    "json": lambda t: {"type": list(_ANY_NON_NULL)},
    "opaque": lambda t: {"type": list(_ANY_NON_NULL)},
    "array": lambda t: {"type": "array", "items": _nested_nullable(t.args[0])},
    "map": lambda t: {"type": "object", "additionalProperties": _nested_nullable(t.args[1])},
    "struct": _struct_schema,
}


def _schema_of(t: SqlType) -> dict[str, Any]:
    return {**_SCHEMAS[t.kind](t), "x-sql-type": t.render()}


@lru_cache(maxsize=4096)
def _json_schema_cached(canonical: str) -> dict[str, Any]:
    return _schema_of(_parse_canonical_or_opaque(canonical))


def json_schema_for_sql_type(canonical: str) -> dict[str, Any]:
    """JSON Schema fragment for a canonical type, with its bounds, always carrying ``x-sql-type``.

    The fragment describes a non-null value (``json`` and ``opaque:*`` types allow any value);
    callers add ``"null"`` for nullable columns. A fresh dict is returned on every call.
    """
    cached = _json_schema_cached(canonical)
    result = dict(cached)
    if cached.get("x-sql-type") != canonical:
        result["x-sql-type"] = canonical
    if isinstance(result.get("type"), list):
        result["type"] = list(result["type"])
    for key in ("items", "properties", "additionalProperties"):
        if isinstance(result.get(key), dict):
            result[key] = _deep_copy(result[key])
    return result


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------------
# Documentation
# --------------------------------------------------------------------------------------------------

_WIDENINGS = (
    ("alias -> alias of the same canonical type", "equivalent"),
    ("`int8 -> int16 -> int32 -> int64 -> int128` (and unsigned into a wider signed/unsigned)", "widening"),
    ("`intN -> float64` for N <= 32, `int8/int16 -> float32` (exact)", "widening"),
    ("`int32 -> float32`, `int64 -> float64` (lossy)", "incomparable"),
    ("`intN -> decimal(p,s)` when `p-s` >= the integer's digits (3/5/10/19/39)", "widening"),
    (
        "`decimal(p,s) -> decimal(p',s')` with `p'-s' >= p-s` and `s' >= s`; any -> unbounded `decimal`",
        "widening",
    ),
    ("`decimal(p,0) -> intN` when every value fits", "widening"),
    ("`decimal <-> float*`", "incomparable"),
    ("`float32 -> float64`", "widening"),
    ("`string(n) -> string(m)`, m > n; `string(n) -> string`; same for `bytes`", "widening"),
    ("`char(n)` -> anything else (blank padding changes values)", "incomparable"),
    ("`string <-> bytes`, any numeric/temporal -> `string`", "incomparable"),
    ("`date -> timestamp_ntz(p)`", "widening"),
    ("`date -> timestamp_tz(p)`, `timestamp_ntz <-> timestamp_tz`, `time <-> time_tz`", "incomparable"),
    ("`time(p) -> time(p')`, `timestamp_*(p) -> timestamp_*(p')`, p' > p", "widening"),
    ("`array<T> -> array<T'>`, `map<K,V> -> map<K',V'>`: as their element types", "recursive"),
    ("`struct<...>`: gaining a field widens, losing one narrows, field types recurse", "recursive"),
    ("`opaque:a -> opaque:b`", "equivalent iff a == b, else incomparable"),
    ("the reverse of a widening", "narrowing"),
)


def lattice_markdown() -> str:
    """Markdown describing the canonical types, every adapter's alias table and the widening rules."""
    lines = [
        "### Canonical SQL types",
        "",
        "`int8` `int16` `int32` `int64` `int128` (`uint*` on DuckDB), `float32` `float64`, "
        "`decimal(p,s)` (bare `decimal` = unbounded), `string(n)` / `string` (unbounded), `char(n)`, "
        "`bytes(n)` / `bytes`, `bool`, `date`, `time(p)`, `time_tz(p)`, `timestamp_ntz(p)` (wall clock), "
        "`timestamp_tz(p)` (instant), `json`, `uuid`, `array<T>`, `map<K,V>`, `struct<name:T,...>`, and "
        "`opaque:<name>` for anything an adapter's table does not list (compared by name only, "
        "never mapped to `string`). Column JSON Schemas carry the canonical type in `x-sql-type` plus "
        "bounds (`minimum`/`maximum`, `maxLength`, `multipleOf`, `format: date`, `format: date-time` "
        "for `timestamp_tz`, `x-format: local-date-time` for `timestamp_ntz`).",
        "",
        "### Relations (old -> new)",
        "",
        "| change | relation |",
        "| --- | --- |",
        *(f"| {change} | {relation} |" for change, relation in _WIDENINGS),
        "",
        "`backward` accepts equivalent and widening changes, `forward` equivalent and narrowing ones, "
        "`full` only equivalent ones.",
    ]
    for adapter in ADAPTERS:
        table = _ALIAS_TABLES[adapter]
        groups: dict[str, list[str]] = {}
        for alias, ctor in table.items():
            groups.setdefault(ctor.describe(), []).append(f"`{alias}`")
        lines += ["", f"### {adapter}", "", "| aliases | canonical |", "| --- | --- |"]
        lines += [f"| {', '.join(aliases)} | {target} |" for target, aliases in groups.items()]
        if adapter in _BRACKET_ARRAYS:
            lines.append("| `T[]` | array<T> |")
    lines.append("")
    return "\n".join(lines)
