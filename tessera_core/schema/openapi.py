"""OpenAPI 3.0/3.1 documents to canonical JSON Schema.

The whole API becomes ONE closed object whose properties are its operations, keyed
``"GET /users/{id}"`` (webhooks: ``"POST webhook:<name>"``). An operation is a closed object with

* ``parameters``: a closed object of ``"<in>:<name>"`` -> schema (header names lower-cased),
  required parameters (and every path parameter) required;
* ``requestBody`` (when the operation has one): a closed object of media type -> schema, itself
  required when the body is;
* ``responses``, wrapped with ``x-tessera-reverse: true``: status -> ``{content: {media type ->
  schema}, headers: {name -> schema}}``.

An instance of the document is one exchange per operation: a request (what a client writes,
judged in the contract's direction: backward = old requests must stay valid) and the server's
capabilities (what clients read, judged in the opposite direction, as oasdiff does: request =
backward, response = forward). Reading the response side as *capabilities* gives oasdiff's
verdicts: every declared success status and every response media type is required (a client may
ask for any of them), optional headers are optional, and these objects are tolerant readers
(``x-tessera-tolerant``): a new status, media type or header does not break anyone.

Schemas: components ``$ref`` are resolved (inlined; a reference that recurses becomes ``$ref``
into ``$defs``), 3.0 ``nullable`` and boolean ``exclusiveMinimum``/``exclusiveMaximum`` become
2020-12 forms, 3.1 type lists pass through, ``readOnly`` properties are dropped from requests and
``writeOnly`` ones from responses, ``x-extensible-enum`` is an enum for requests (removing a value
breaks clients that send it) and no constraint for responses (clients must accept new values).
Object schemas keep the content model they state (open unless they close it), judged strictly:
under an open request object a new typed property could reject what old clients already sent.
Vendor extensions (``x-*``), ``example``, ``discriminator``, ``xml`` and ``externalDocs`` are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tessera_core.errors import InvalidSchemaError

__all__ = ["normalize_openapi", "openapi_operations"]

_SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_IGNORED_HEADER_PARAMETERS = frozenset({"accept", "content-type", "authorization"})
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_VALUES = (
    "items",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalProperties",
    "additionalItems",
    "contentSchema",
)
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
_DROPPED = frozenset(
    {
        "example",
        "examples",
        "discriminator",
        "xml",
        "externalDocs",
        "nullable",
        "readOnly",
        "writeOnly",
        "$schema",
        "$id",
    }
)
_ANNOTATIONS = frozenset({"description", "title", "summary", "deprecated", "default", "$comment"})
_REF_DEF = re.compile(r"[^A-Za-z0-9_.-]")

Direction = Literal["request", "response"]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


@dataclass(slots=True)
class _Converter:
    """Resolves references in one document and converts its schemas (memoized per direction)."""

    document: Mapping[str, Any]
    version: str
    cache: dict[tuple[str, Direction], dict[str, Any]] = field(default_factory=dict)
    in_progress: set[tuple[str, Direction]] = field(default_factory=set)
    recursive: set[tuple[str, Direction]] = field(default_factory=set)

    # -- references --------------------------------------------------------------------------------

    def resolve(self, ref: Any, pointer: str) -> Any:
        """The object a local ``$ref`` points to."""
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise InvalidSchemaError(
                f"only local references are supported, got $ref {ref!r}", pointer=pointer
            )
        node: Any = self.document
        for token in ref[1:].split("/")[1:] if ref != "#" else []:
            key = _unescape(token)
            if isinstance(node, Mapping) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise InvalidSchemaError(f"$ref {ref!r} does not resolve", pointer=pointer)
        return node

    def deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        """Follow ``$ref`` chains of non-schema objects (parameters, responses, headers, bodies)."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise InvalidSchemaError(f"$ref {ref!r} refers to itself", pointer=pointer)
            seen.add(ref)
            node, pointer = self.resolve(ref, pointer), str(ref)[1:]
        return node, pointer

    @staticmethod
    def def_name(ref: str, direction: Direction) -> str:
        name = (
            ref.removeprefix("#/components/schemas/") if ref.startswith("#/components/schemas/") else ref[2:]
        )
        return f"{_REF_DEF.sub('_', _unescape(name))}@{direction}"

    # -- schemas -----------------------------------------------------------------------------------

    def schema(self, node: Any, direction: Direction, pointer: str) -> Any:
        """Canonical JSON Schema 2020-12 of an OpenAPI schema object."""
        if isinstance(node, bool):
            return node
        if not isinstance(node, Mapping):
            raise InvalidSchemaError(
                f"a schema must be an object, got {type(node).__name__}", pointer=pointer
            )
        if "$ref" in node:
            return self._ref_schema(node, direction, pointer)
        return self._plain_schema(node, direction, pointer)

    def _ref_schema(self, node: Mapping[str, Any], direction: Direction, pointer: str) -> Any:
        ref = node["$ref"]
        if not isinstance(ref, str):
            raise InvalidSchemaError("$ref must be a string", pointer=f"{pointer}/$ref")
        key = (ref, direction)
        if key in self.in_progress:
            self.recursive.add(key)
            resolved: Any = {"$ref": f"#/$defs/{_escape(self.def_name(ref, direction))}"}
        elif key in self.cache:
            resolved = self.cache[key]
        else:
            target = self.resolve(ref, pointer)
            self.in_progress.add(key)
            try:
                resolved = self.schema(target, direction, ref[1:])
            finally:
                self.in_progress.discard(key)
            if isinstance(resolved, dict):
                self.cache[key] = resolved
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if not siblings or self.version.startswith("3.0"):
            return resolved  # 3.0 ignores everything next to a $ref
        rest = self._plain_schema(siblings, direction, pointer)
        if all(k in _ANNOTATIONS for k in rest) and isinstance(resolved, dict):
            return {**resolved, **rest}
        return {"allOf": [resolved, rest]}

    def _plain_schema(self, node: Mapping[str, Any], direction: Direction, pointer: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED or key.startswith("x-"):
                continue
            if key in _SCHEMA_VALUES:
                out[key] = self.schema(value, direction, f"{pointer}/{key}")
            elif key in _SCHEMA_LISTS:
                if not isinstance(value, list):
                    raise InvalidSchemaError(f"{key} must be a list of schemas", pointer=f"{pointer}/{key}")
                out[key] = [self.schema(v, direction, f"{pointer}/{key}/{i}") for i, v in enumerate(value)]
            elif key in _SCHEMA_MAPS:
                if not isinstance(value, Mapping):
                    raise InvalidSchemaError(
                        f"{key} must be an object of schemas", pointer=f"{pointer}/{key}"
                    )
                out[key] = {
                    str(k): self.schema(v, direction, f"{pointer}/{key}/{_escape(str(k))}")
                    for k, v in value.items()
                }
            else:
                out[key] = value
        self._openapi_30_forms(node, out)
        self._extensible_enum(node, out, direction)
        self._read_write_only(node, out, direction)
        return out

    def _openapi_30_forms(self, node: Mapping[str, Any], out: dict[str, Any]) -> None:
        for bound, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
            if isinstance(node.get(exclusive), bool):
                if node[exclusive] and bound in node:
                    out[exclusive] = out.pop(bound)
                else:
                    out.pop(exclusive, None)
        if node.get("nullable") is True and "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = sorted({*types, "null"})
            if isinstance(out.get("enum"), list) and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]

    @staticmethod
    def _extensible_enum(node: Mapping[str, Any], out: dict[str, Any], direction: Direction) -> None:
        values = node.get("x-extensible-enum")
        if isinstance(values, list) and direction == "request" and "enum" not in out:
            out["enum"] = list(values)

    def _read_write_only(self, node: Mapping[str, Any], out: dict[str, Any], direction: Direction) -> None:
        hidden = "readOnly" if direction == "request" else "writeOnly"
        properties = node.get("properties")
        if not isinstance(properties, Mapping):
            return
        dropped = {
            name
            for name, prop in properties.items()
            if isinstance(prop, Mapping) and self._flag(prop, hidden, f"/properties/{name}")
        }
        if not dropped:
            return
        out["properties"] = {k: v for k, v in out["properties"].items() if k not in dropped}
        if isinstance(out.get("required"), list):
            out["required"] = [r for r in out["required"] if r not in dropped]

    def _flag(self, prop: Mapping[str, Any], flag: str, pointer: str) -> bool:
        if prop.get(flag) is True:
            return True
        if "$ref" in prop:
            target, _ = self.deref(prop, pointer)
            return isinstance(target, Mapping) and target.get(flag) is True
        return False

    # -- operations --------------------------------------------------------------------------------

    def parameter_schema(self, parameter: Mapping[str, Any], pointer: str) -> Any:
        if "schema" in parameter:
            return self.schema(parameter["schema"], "request", f"{pointer}/schema")
        content = parameter.get("content")
        if isinstance(content, Mapping) and len(content) == 1:
            ((media_type, media),) = content.items()
            if isinstance(media, Mapping) and "schema" in media:
                return self.schema(
                    media["schema"], "request", f"{pointer}/content/{_escape(media_type)}/schema"
                )
        return {}

    def parameters(self, path_level: Any, op_level: Any, item_pointer: str, pointer: str) -> dict[str, Any]:
        merged: dict[str, tuple[Mapping[str, Any], str]] = {}
        for level, ptr in ((path_level, f"{item_pointer}/parameters"), (op_level, f"{pointer}/parameters")):
            if level is None:
                continue
            if not isinstance(level, list):
                raise InvalidSchemaError("parameters must be a list", pointer=ptr)
            for i, raw in enumerate(level):
                parameter, p_ptr = self.deref(raw, f"{ptr}/{i}")
                if not isinstance(parameter, Mapping):
                    raise InvalidSchemaError("a parameter must be an object", pointer=p_ptr)
                name, location = parameter.get("name"), parameter.get("in")
                if not isinstance(name, str) or location not in ("query", "header", "path", "cookie"):
                    raise InvalidSchemaError(
                        "a parameter needs a 'name' and 'in' (query/header/path/cookie)", pointer=p_ptr
                    )
                if location == "header":
                    name = name.lower()
                    if name in _IGNORED_HEADER_PARAMETERS:
                        continue
                merged[f"{location}:{name}"] = (parameter, p_ptr)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for key in sorted(merged):
            parameter, p_ptr = merged[key]
            schema = self.parameter_schema(parameter, p_ptr)
            if isinstance(schema, dict) and parameter.get("deprecated") is True:
                schema = {**schema, "deprecated": True}
            properties[key] = schema
            if parameter.get("required") is True or parameter.get("in") == "path":
                required.append(key)
        return {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }

    def media_types(self, content: Any, direction: Direction, pointer: str) -> dict[str, Any]:
        if content is None:
            return {}
        if not isinstance(content, Mapping):
            raise InvalidSchemaError("content must be an object of media types", pointer=pointer)
        result: dict[str, Any] = {}
        for media_type, media in content.items():
            m_ptr = f"{pointer}/{_escape(str(media_type))}"
            if media is None:
                media = {}
            if not isinstance(media, Mapping):
                raise InvalidSchemaError("a media type must be an object", pointer=m_ptr)
            schema = self.schema(media["schema"], direction, f"{m_ptr}/schema") if "schema" in media else {}
            result[str(media_type).lower()] = schema
        return result

    def request_body(self, raw: Any, pointer: str) -> tuple[dict[str, Any], bool]:
        body, b_ptr = self.deref(raw, pointer)
        if not isinstance(body, Mapping):
            raise InvalidSchemaError("requestBody must be an object", pointer=b_ptr)
        media = self.media_types(body.get("content"), "request", f"{b_ptr}/content")
        schema = {"type": "object", "properties": media, "additionalProperties": False}
        return schema, body.get("required") is True

    def response(self, raw: Any, pointer: str) -> dict[str, Any]:
        response, r_ptr = self.deref(raw, pointer)
        if not isinstance(response, Mapping):
            raise InvalidSchemaError("a response must be an object", pointer=r_ptr)
        properties: dict[str, Any] = {}
        media = self.media_types(response.get("content"), "response", f"{r_ptr}/content")
        if media:
            properties["content"] = _capabilities(media, required=sorted(media))
        headers = response.get("headers")
        if isinstance(headers, Mapping) and headers:
            header_schemas: dict[str, Any] = {}
            required: list[str] = []
            for name, raw_header in headers.items():
                h_ptr = f"{r_ptr}/headers/{_escape(str(name))}"
                header, h_ptr = self.deref(raw_header, h_ptr)
                if not isinstance(header, Mapping):
                    raise InvalidSchemaError("a header must be an object", pointer=h_ptr)
                key = str(name).lower()
                if key == "content-type":
                    continue
                header_schemas[key] = self._header_schema(header, h_ptr)
                if header.get("required") is True:
                    required.append(key)
            if header_schemas:
                properties["headers"] = _capabilities(header_schemas, required=sorted(required))
        return _capabilities(properties, required=sorted(properties))

    def _header_schema(self, header: Mapping[str, Any], pointer: str) -> Any:
        if "schema" in header:
            return self.schema(header["schema"], "response", f"{pointer}/schema")
        media = self.media_types(header.get("content"), "response", f"{pointer}/content")
        return next(iter(media.values()), {})

    def responses(self, raw: Any, pointer: str) -> dict[str, Any]:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise InvalidSchemaError("responses must be an object of status codes", pointer=pointer)
        statuses: dict[str, Any] = {}
        for status, response in raw.items():
            if str(status).startswith("x-"):
                continue
            statuses[str(status).upper()] = self.response(response, f"{pointer}/{_escape(str(status))}")
        success = sorted(s for s in statuses if s.startswith("2"))
        return {**_capabilities(statuses, required=success), "x-tessera-reverse": True}

    def operation(
        self, op: Any, path_item: Mapping[str, Any], item_pointer: str, method: str
    ) -> dict[str, Any]:
        pointer = f"{item_pointer}/{method}"
        if not isinstance(op, Mapping):
            raise InvalidSchemaError("an operation must be an object", pointer=pointer)
        properties: dict[str, Any] = {
            "parameters": self.parameters(
                path_item.get("parameters"), op.get("parameters"), item_pointer, pointer
            )
        }
        required = ["parameters", "responses"]
        if op.get("requestBody") is not None:
            body, body_required = self.request_body(op["requestBody"], f"{pointer}/requestBody")
            properties["requestBody"] = body
            if body_required:
                required.insert(1, "requestBody")
        properties["responses"] = self.responses(op.get("responses"), f"{pointer}/responses")
        result: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        if isinstance(op.get("summary"), str):
            result["title"] = op["summary"]
        if op.get("deprecated") is True:
            result["deprecated"] = True
        if isinstance(op.get("operationId"), str):
            result["x-operation-id"] = op["operationId"]
        return result

    def operations(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        for section, key_of in (("paths", _path_key), ("webhooks", _webhook_key)):
            items = self.document.get(section)
            if items is None:
                continue
            if not isinstance(items, Mapping):
                raise InvalidSchemaError(f"'{section}' must be an object", pointer=f"/{section}")
            for name, raw_item in items.items():
                if str(name).startswith("x-"):
                    continue
                item, i_ptr = self.deref(raw_item, f"/{section}/{_escape(str(name))}")
                if not isinstance(item, Mapping):
                    raise InvalidSchemaError("a path item must be an object", pointer=i_ptr)
                for method in _METHODS:
                    if method in item:
                        result[key_of(method, str(name))] = self.operation(item[method], item, i_ptr, method)
        return result

    def defs(self) -> dict[str, Any]:
        return {
            self.def_name(ref, direction): self.cache[(ref, direction)]
            for ref, direction in sorted(self.recursive)
        }


def _capabilities(properties: dict[str, Any], *, required: list[str]) -> dict[str, Any]:
    """A closed, tolerant-reader object: what a server offers (new entries break nobody)."""
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "x-tessera-tolerant": True,
    }


def _path_key(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def _webhook_key(method: str, name: str) -> str:
    return f"{method.upper()} webhook:{name}"


def _converter(document: Mapping[str, Any]) -> _Converter:
    if not isinstance(document, Mapping):
        raise InvalidSchemaError(f"an OpenAPI document must be an object, got {type(document).__name__}")
    if "swagger" in document:
        raise InvalidSchemaError(
            "Swagger 2.0 is not supported: convert the document to OpenAPI 3", pointer="/swagger"
        )
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        raise InvalidSchemaError(f"expected 'openapi: 3.0.x' or '3.1.x', got {version!r}", pointer="/openapi")
    return _Converter(document, version)


def _reachable_defs(schema: Any, converter: _Converter) -> dict[str, Any]:
    all_defs = converter.defs()
    found: dict[str, Any] = {}
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = _unescape(ref.removeprefix("#/$defs/"))
                if name not in found and name in all_defs:
                    found[name] = all_defs[name]
                    stack.append(all_defs[name])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return {name: found[name] for name in sorted(found)}


def normalize_openapi(document: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical JSON Schema of a whole OpenAPI 3.0/3.1 document: a closed object of operations
    (see the module docstring). Raises :class:`~tessera_core.errors.InvalidSchemaError` with a JSON
    pointer into the document on malformed input."""
    converter = _converter(document)
    operations = converter.operations()
    result: dict[str, Any] = {"$schema": _SCHEMA_URI, "type": "object"}
    info = document.get("info")
    if isinstance(info, Mapping) and isinstance(info.get("title"), str):
        result["title"] = info["title"]
    result.update({"properties": operations, "additionalProperties": False})
    defs = converter.defs()
    if defs:
        result["$defs"] = defs
    return result


def openapi_operations(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """One canonical contract per operation (``"GET /users/{id}"`` -> schema), for publishing one
    contract per endpoint; each carries the ``$defs`` its recursive references need."""
    converter = _converter(document)
    operations = converter.operations()
    result: dict[str, dict[str, Any]] = {}
    for key, operation in operations.items():
        contract = {"$schema": _SCHEMA_URI, **operation}
        defs = _reachable_defs(operation, converter)
        if defs:
            contract["$defs"] = defs
        result[key] = contract
    return result
