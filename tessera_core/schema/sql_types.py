"""The SQL type lattice's entry points: adapter type strings to canonical types, and to JSON Schema.

A warehouse type string (``"character varying(40)"`` on Postgres, ``"NUMBER(38,0)"`` on Snowflake)
is parsed with the adapter's alias table (:mod:`tessera_core.schema.sql_aliases`) into a canonical
type string (``"string(40)"``, ``"decimal(38,0)"``); :func:`compare_sql_types`
(:mod:`tessera_core.schema.sql_lattice`) relates two canonical types by value-set inclusion, and
:func:`json_schema_for_sql_type` encodes one as a JSON Schema fragment carrying ``x-sql-type``.
Types an adapter does not know are kept verbatim as ``opaque:<name>`` and compare equal only to
the same name — never silently mapped to ``string``. The canonical grammar is documented in
:mod:`tessera_core.schema.sql_lattice`, which owns it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tessera_core.errors import InvalidSchemaError
from tessera_core.schema.sql_aliases import ADAPTERS, ALIAS_TABLES, BRACKET_ARRAYS, Ctor, Nested
from tessera_core.schema.sql_lattice import (
    FLOAT32_MAX,
    SqlType,
    Tokens,
    Unparsable,
    compare_sql_types,
    decimal_digits,
    int_range,
    parse_canonical,
)

__all__ = [
    "ADAPTERS",
    "compare_sql_types",
    "json_schema_for_sql_type",
    "lattice_markdown",
    "opaque_sql_type",
    "parse_sql_type",
]


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


def _parse_raw_type(tokens: Tokens, table: Mapping[str, Ctor], adapter: str) -> SqlType:
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
            raise Unparsable(value)
    if tokens.at("<"):
        tokens.take()
        _parse_type_args(tokens, table, adapter, raw, raw.words[-1] if raw.words else "", closing=">")
    result = _resolve(raw, table)
    while tokens.at("[") and adapter in BRACKET_ARRAYS:
        tokens.take()
        if tokens.peek()[0] == "num":
            tokens.take()  # fixed-size arrays (DuckDB ARRAY) hold the same values per element
        tokens.expect("]")
        result = SqlType("array", args=(result,))
    return result


def _parse_raw_params(tokens: Tokens) -> list[int | str]:
    params: list[int | str] = []
    while True:
        kind, value = tokens.take()
        if kind == "num":
            params.append(int(value))
        elif kind == "word":
            params.append(value)
        else:
            raise Unparsable(value)
        if tokens.at(")"):
            tokens.take()
            return params
        tokens.expect(",")


def _parse_type_args(
    tokens: Tokens, table: Mapping[str, Ctor], adapter: str, raw: _RawType, base: str, closing: str
) -> None:
    raw.has_args = True
    named = base in ("struct", "object", "row")
    while not tokens.at(closing):
        if named:
            kind, name = tokens.take()
            if kind not in ("word", "id"):
                raise Unparsable(name)
            if tokens.at(":"):
                tokens.take()
            if tokens.peek() in (("p", ","), ("p", closing)):
                raise Unparsable(name)  # an unnamed struct field: keep the whole type opaque
            raw.names.append(name)
        raw.args.append(_parse_raw_type(tokens, table, adapter))
        if not tokens.at(","):
            break
        tokens.take()
    tokens.expect(closing)


def _resolve(raw: _RawType, table: Mapping[str, Ctor]) -> SqlType:
    words = raw.words
    if len(words) > 1 and words[-1] == "array" and not raw.has_args:
        # Postgres ``integer ARRAY``
        inner = _resolve(_RawType(words[:-1], raw.params), table)
        return SqlType("array", args=(inner,))
    ctor = table.get(" ".join(words))
    if ctor is None:
        raise Unparsable(" ".join(words))
    if isinstance(ctor, Nested) and raw.has_args:
        expected = {"array": 1, "map": 2}.get(ctor.kind, len(raw.args))
        if raw.params or len(raw.args) != expected or not raw.args:
            raise Unparsable(ctor.kind)
        return SqlType(ctor.kind, args=tuple(raw.args), names=tuple(raw.names))
    if raw.has_args:
        raise Unparsable(" ".join(words))
    built = ctor.build(tuple(raw.params))
    if built is None:
        raise Unparsable(" ".join(words))
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
    table = ALIAS_TABLES[adapter]
    try:
        tokens = Tokens(raw)
        parsed = _parse_raw_type(tokens, table, adapter)
        if tokens.peek()[0] != "end":
            raise Unparsable(raw)
    except (Unparsable, IndexError):
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
    if adapter not in ALIAS_TABLES:
        raise InvalidSchemaError(f"unknown SQL adapter {adapter!r}; expected one of {', '.join(ADAPTERS)}")
    return _parse_cached(raw, adapter)


# --------------------------------------------------------------------------------------------------
# JSON Schema encoding (compat-semantics §8.2 step 4)
# --------------------------------------------------------------------------------------------------

_ANY_NON_NULL = ["array", "boolean", "number", "object", "string"]


def _int_schema(t: SqlType) -> dict[str, Any]:
    lo, hi = int_range(t)
    return {"type": "integer", "minimum": lo, "maximum": hi}


def _decimal_schema(t: SqlType) -> dict[str, Any]:
    digits = decimal_digits(t)
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
        else {"type": "number", "minimum": -FLOAT32_MAX, "maximum": FLOAT32_MAX}
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
    return _schema_of(parse_canonical(canonical))


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
        table = ALIAS_TABLES[adapter]
        groups: dict[str, list[str]] = {}
        for alias, ctor in table.items():
            groups.setdefault(ctor.describe(), []).append(f"`{alias}`")
        lines += ["", f"### {adapter}", "", "| aliases | canonical |", "| --- | --- |"]
        lines += [f"| {', '.join(aliases)} | {target} |" for target, aliases in groups.items()]
        if adapter in BRACKET_ARRAYS:
            lines.append("| `T[]` | array<T> |")
    lines.append("")
    return "\n".join(lines)
