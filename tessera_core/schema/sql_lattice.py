"""The canonical SQL type tree and its lattice: how canonical types relate (value-set inclusion).

Canonical types are what :func:`tessera_core.schema.sql_types.parse_sql_type` produces from an
adapter's type string; here they are parsed back into :class:`SqlType` trees and compared:
``old -> new`` is a *widening* when every old value is representable in the new type, a
*narrowing* when the reverse holds, *equivalent* when both, *incomparable* otherwise
(compat-semantics.md §8.2). Strings outside the canonical grammar compare as opaque names.

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
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from tessera_core.types import Relation

__all__ = [
    "FLOAT32_MAX",
    "SqlType",
    "Tokens",
    "Unparsable",
    "compare_sql_types",
    "decimal_digits",
    "int_range",
    "parse_canonical",
]


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
FLOAT32_MAX = 3.4028234663852886e38


def int_range(t: SqlType) -> tuple[int, int]:
    return _INT_RANGES[(t.kind, t.params[0])]


def decimal_digits(t: SqlType) -> tuple[int, int] | None:
    """(integer digits, scale) of a decimal, None when unbounded."""
    return (t.params[0] - t.params[1], t.params[1]) if t.params else None


# --------------------------------------------------------------------------------------------------
# Value-set inclusion: every value of ``a`` is a value of ``b``
# --------------------------------------------------------------------------------------------------


def _fits_int(a: SqlType, b: SqlType) -> bool:
    lo, hi = int_range(a)
    if b.kind in ("int", "uint"):
        blo, bhi = int_range(b)
        return blo <= lo and hi <= bhi
    if b.kind == "float":
        # exact only when every integer fits the mantissa (int32 -> float32 is lossy: incomparable)
        return max(abs(lo), hi).bit_length() <= _FLOAT_MANTISSA_BITS[b.params[0]]
    if b.kind == "decimal":
        digits = decimal_digits(b)
        return digits is None or max(abs(lo), hi) < 10 ** digits[0]
    return False


def _fits_decimal(a: SqlType, b: SqlType) -> bool:
    da = decimal_digits(a)
    if b.kind == "decimal":
        db = decimal_digits(b)
        if db is None:
            return True
        return da is not None and db[0] >= da[0] and db[1] >= da[1]
    if b.kind in ("int", "uint") and da is not None and da[1] == 0:
        lo, hi = int_range(b)
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
    a, b = parse_canonical(old), parse_canonical(new)
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


class Unparsable(Exception):
    """The string is not in the grammar (the caller keeps it as an opaque name)."""


class Tokens:
    def __init__(self, text: str) -> None:
        self.items: list[tuple[str, str]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise Unparsable(text)
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
            raise Unparsable(punct)

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


def _parse_canonical_type(tokens: Tokens) -> SqlType:
    kind, word = tokens.take()
    if kind != "word":
        raise Unparsable(word)
    if word == "opaque":
        tokens.expect(":")
        kind, name = tokens.take()
        if kind not in ("word", "id"):
            raise Unparsable(name)
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
                    raise Unparsable(name)
                names.append(name)
                tokens.expect(":")
            args.append(_parse_canonical_type(tokens))
            if not tokens.at(","):
                break
            tokens.take()
        tokens.expect(">")
        expected = {"array": 1, "map": 2}.get(word, len(args))
        if len(args) != expected:
            raise Unparsable(word)
        return SqlType(word, args=tuple(args), names=tuple(names))
    params = _parse_int_params(tokens)
    if word in _CANONICAL_PRECISION and len(params) == 1:
        return SqlType(word, params)
    if word in _CANONICAL_PARAMETRIZED:
        lo, hi = _CANONICAL_PARAMETRIZED[word]
        if lo <= len(params) <= hi and (len(params) != 1 or word != "decimal"):
            return SqlType(word, params)
    raise Unparsable(word)


def _parse_int_params(tokens: Tokens) -> tuple[int, ...]:
    if not tokens.at("("):
        return ()
    tokens.take()
    params: list[int] = []
    while True:
        kind, value = tokens.take()
        if kind != "num":
            raise Unparsable(value)
        params.append(int(value))
        if tokens.at(")"):
            tokens.take()
            return tuple(params)
        tokens.expect(",")


@lru_cache(maxsize=4096)
def parse_canonical(canonical: str) -> SqlType:
    if canonical.startswith("opaque:"):
        return SqlType("opaque", opaque=canonical[len("opaque:") :])
    try:
        tokens = Tokens(canonical)
        parsed = _parse_canonical_type(tokens)
        if tokens.peek()[0] != "end":
            raise Unparsable(canonical)
    except Unparsable:
        return SqlType("opaque", opaque=canonical)
    return parsed
