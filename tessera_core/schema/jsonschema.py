"""The JSON Schema normalizer: any JSON Schema document (draft-04 to 2020-12) to canonical 2020-12.

The walk resolves internal ``$ref`` (inlined; recursive references stay as ``#/$defs/<name>``,
``$anchor`` and the root ``$id`` understood), checks the shape of every keyword, upgrades draft-07
forms (``definitions``, ``dependencies``, tuple ``items`` + ``additionalItems``, draft-04 boolean
``exclusiveMaximum``) and hands each node, children first, to
:func:`tessera_core.schema.canonicalize.canonicalize_node` (the canonical model is described there).

:func:`normalize_jsonschema` is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tessera_core.errors import InvalidSchemaError
from tessera_core.schema.canonical_schema import CanonicalSchema, _seal
from tessera_core.schema.canonicalize import canonicalize_owned, conjoin
from tessera_core.schema.vocabulary import (
    LIST_SCHEMA_KEYWORDS,
    MAP_SCHEMA_KEYWORDS,
    NON_NULL_TYPES,
    SINGLE_SCHEMA_KEYWORDS,
    Node,
    canonical_json,
)


def normalize_jsonschema(document: Any) -> CanonicalSchema:
    """Normalize a JSON Schema document (draft-04 to 2020-12) to canonical 2020-12.

    Raises :class:`~tessera_core.errors.InvalidSchemaError` for documents that are not schemas
    or hold unresolvable internal references. The input is not modified. A
    :class:`~tessera_core.schema.canonical_schema.CanonicalSchema` is returned as it is (it is
    canonical already); anything else is normalized, so the function is idempotent:
    ``normalize_jsonschema(normalize_jsonschema(d)) == normalize_jsonschema(d)``, also for a plain
    ``dict`` copy of the result.
    """
    if isinstance(document, CanonicalSchema):
        return document
    if not isinstance(document, (dict, bool)):
        raise InvalidSchemaError(
            f"a JSON Schema must be an object or a boolean, not {type(document).__name__}"
        )
    normalizer = _Normalizer(document)
    root = normalizer.resolve("#", "")
    if root is False:
        return _seal({"not": {}})
    if root is True:
        return _seal({})
    assert isinstance(root, dict)
    if normalizer.defs:
        return _seal({**root, "$defs": dict(sorted(normalizer.defs.items()))})
    return _seal(root)


class _Normalizer:
    """One normalization run: holds the document (for ``$ref``) and the recursion state."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.defs: dict[str, Node] = {}
        self.def_names: dict[str, str] = {}
        self.stack: list[str] = []
        self.recursive: set[str] = set()
        self.cache: dict[str, Node] = {}
        self._anchors: dict[str, str] | None = None

    @property
    def anchors(self) -> dict[str, str]:
        """``$anchor`` name -> JSON pointer, collected on first use."""
        if self._anchors is None:
            self._anchors = _collect_anchors(self.document)
        return self._anchors

    # -- references ---------------------------------------------------------------------

    def resolve(self, ref: str, where: str) -> Node:
        pointer = self._pointer_of(ref, where)
        if pointer in self.stack:
            self.recursive.add(pointer)
            return {"$ref": f"#/$defs/{self._def_name(pointer)}"}
        if pointer in self.cache:
            return self.cache[pointer]
        target = _follow_pointer(self.document, pointer, ref, where)
        self.stack.append(pointer)
        try:
            result = self.node(target, pointer)
        finally:
            self.stack.pop()
        if pointer in self.recursive:
            self.defs[self._def_name(pointer)] = result
            result = {"$ref": f"#/$defs/{self._def_name(pointer)}"}
        self.cache[pointer] = result
        return result

    def _pointer_of(self, ref: str, where: str) -> str:
        if not isinstance(ref, str):
            raise InvalidSchemaError("$ref must be a string", pointer=where)
        root_id = self.document.get("$id") if isinstance(self.document, dict) else None
        if root_id and ref.startswith(root_id):
            ref = ref[len(root_id) :] or "#"
        if not ref.startswith("#"):
            raise InvalidSchemaError(f"external $ref {ref!r} cannot be resolved offline", pointer=where)
        fragment = ref[1:]
        if fragment and not fragment.startswith("/"):
            if fragment not in self.anchors:
                raise InvalidSchemaError(f"unknown anchor in $ref {ref!r}", pointer=where)
            return self.anchors[fragment]
        from urllib.parse import unquote

        return unquote(fragment)

    def _def_name(self, pointer: str) -> str:
        if pointer not in self.def_names:
            base = pointer.rsplit("/", 1)[-1].replace("~1", "_").replace("~0", "_") or "root"
            name, n = base, 1
            while name in self.def_names.values():
                n += 1
                name = f"{base}_{n}"
            self.def_names[pointer] = name
        return self.def_names[pointer]

    # -- nodes --------------------------------------------------------------------------

    def node(self, raw: Any, where: str) -> Node:
        if raw is True:
            return {}
        if raw is False:
            return False
        if not isinstance(raw, dict):
            raise InvalidSchemaError(
                f"expected a schema (object or boolean), got {type(raw).__name__}", pointer=where
            )
        if "$ref" in raw:
            target = self.resolve(raw["$ref"], f"{where}/$ref")
            rest = {k: v for k, v in raw.items() if k not in ("$ref", "definitions", "$defs", "$schema")}
            if not rest:
                return target
            combined: Node = conjoin(target, self.node(rest, where))
            return combined
        if raw.keys().isdisjoint(_WALKED_KEYWORDS):
            # a leaf (no sub-schemas, nothing to upgrade): most nodes of wide schemas
            out = dict(raw)
            if "type" in out:
                types = out["type"]
                if type(types) is str and types in _JSON_TYPES:
                    out["type"] = [types]
                elif not _known_types(types):
                    _type(self, out, "type", types, f"{where}/type")  # raises the precise error
            return canonicalize_owned(out)
        out = {}
        for key, value in raw.items():
            handler = _KEY_HANDLERS.get(key)
            if handler is None:
                out[key] = value
            else:
                handler(self, out, key, value, f"{where}/{_escape(key)}")
        return canonicalize_owned(out)  # ``out`` is ours: no copy


def _escape(key: str) -> str:
    if "~" not in key and "/" not in key:
        return key
    return key.replace("~", "~0").replace("/", "~1")


def _collect_anchors(document: Any) -> dict[str, str]:
    anchors: dict[str, str] = {}

    def walk(value: Any, pointer: str) -> None:
        if isinstance(value, dict):
            anchor = value.get("$anchor")
            if isinstance(anchor, str):
                anchors.setdefault(anchor, pointer)
            for key, child in value.items():
                if key not in ("enum", "const", "default", "examples") and not key.startswith("x-"):
                    walk(child, f"{pointer}/{_escape(key)}")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, f"{pointer}/{index}")

    walk(document, "")
    return anchors


def _follow_pointer(document: Any, pointer: str, ref: str, where: str) -> Any:
    value = document
    if pointer == "":
        return value
    for raw_part in pointer.lstrip("/").split("/"):
        part = raw_part.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise InvalidSchemaError(f"$ref {ref!r} does not resolve", pointer=where)
    return value


# -- per-keyword input handlers (shape checks, sub-schema recursion, draft upgrades) -------

_Handler = Callable[[_Normalizer, dict[str, Any], str, Any, str], None]


def _single(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    out[key] = n.node(value, where)


def _items(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    if isinstance(value, list):  # draft-07 tuple form
        out["prefixItems"] = [n.node(v, f"{where}/{i}") for i, v in enumerate(value)]
        out["_tuple"] = True
    else:
        out["items"] = n.node(value, where)


def _schema_list(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise InvalidSchemaError(f"{key} must be an array of schemas", pointer=where)
    out[key] = [n.node(v, f"{where}/{i}") for i, v in enumerate(value)]


def _schema_map(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise InvalidSchemaError(f"{key} must be an object", pointer=where)
    out[key] = {name: n.node(v, f"{where}/{_escape(name)}") for name, v in value.items()}


def _drop(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    return None


def _dependencies(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise InvalidSchemaError(f"{key} must be an object", pointer=where)
    for name, dep in value.items():
        if isinstance(dep, list) and key != "dependentSchemas":
            out.setdefault("dependentRequired", {})[name] = dep
        else:
            out.setdefault("dependentSchemas", {})[name] = n.node(dep, f"{where}/{_escape(name)}")


_JSON_TYPES = NON_NULL_TYPES | {"null"}


def _known_types(value: Any) -> bool:
    """Whether ``value`` is a list of JSON type names (the common case, checked cheaply)."""
    try:
        return type(value) is list and _JSON_TYPES.issuperset(value)
    except TypeError:  # unhashable entries
        return False


def _type(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    types = [value] if isinstance(value, str) else value
    if _known_types(types):
        out["type"] = types
        return
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise InvalidSchemaError("type must be a string or an array of strings", pointer=where)
    unknown = sorted(set(types) - _JSON_TYPES)[0]
    raise InvalidSchemaError(f"unknown type {unknown!r}", pointer=where)


def _additional_items(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    out["_additionalItems"] = n.node(value, where)


def _enum(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    if key == "const":
        value = [value]
    elif not isinstance(value, list):
        raise InvalidSchemaError("enum must be an array", pointer=where)
    if "enum" in out:  # const and enum together: intersection
        keep = {canonical_json(v) for v in value}
        out["enum"] = [v for v in out["enum"] if canonical_json(v) in keep]
    else:
        out["enum"] = list(value)


_KEY_HANDLERS: dict[str, _Handler] = {
    **dict.fromkeys(SINGLE_SCHEMA_KEYWORDS - {"additionalItems"}, _single),
    **dict.fromkeys(LIST_SCHEMA_KEYWORDS, _schema_list),
    **dict.fromkeys(MAP_SCHEMA_KEYWORDS - {"dependentSchemas"}, _schema_map),
    "dependentSchemas": _dependencies,
    "dependencies": _dependencies,
    "items": _items,
    "additionalItems": _additional_items,
    "type": _type,
    "enum": _enum,
    "const": _enum,
    "$schema": _drop,
    "definitions": _drop,
    "$defs": _drop,
}
#: Keywords whose handler does more than check ``type``: sub-schemas, draft upgrades, enums.
_WALKED_KEYWORDS: frozenset[str] = frozenset(_KEY_HANDLERS.keys() - {"type"})
