"""dbt models to canonical JSON Schema.

Input is the dbt model document of ``/work/briefs/dbt_payload.md`` (what the dbt integration sends,
``format: "dbt"``) or a dbt properties YAML (``version: 2``, ``models: [...]``) holding one model (or
the caller picks one by name). A model becomes a *closed* object (tables cannot carry unknown
columns) whose properties are its columns:

* a column is ``required`` iff it is NOT NULL (a ``not_null``/``primary_key`` constraint, a
  ``not_null`` test, or a model-level primary key); otherwise its type includes ``"null"``;
* its type goes through the adapter's SQL type lattice (:mod:`tessera_core.schema.sql_types`):
  ``x-sql-type`` plus JSON Schema bounds; types the adapter does not know stay ``opaque:<name>``;
  a column without ``data_type`` has no type constraint at all (NOT NULL still excludes ``null``);
* guarantees: ``unique`` -> ``x-unique``, ``primary_key`` -> ``x-primary-key``, ``check`` ->
  ``x-checks``, ``relationships``/``foreign_key`` -> ``x-relationship``, ``accepted_values`` -> ``enum``.

Tests with a ``where`` config hold for a subset of rows only and are not column guarantees.
Adapters outside :data:`~tessera_core.schema.sql_types.ADAPTERS` keep every type opaque (compared
by name), so nothing is ever guessed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from tessera_core.errors import InvalidSchemaError
from tessera_core.schema.canonical_schema import CanonicalSchema, _seal
from tessera_core.schema.canonicalize import canonicalize_owned
from tessera_core.schema.jsonschema import normalize_jsonschema
from tessera_core.schema.sql_types import ADAPTERS, json_schema_for_sql_type, opaque_sql_type, parse_sql_type

__all__ = ["normalize_dbt"]

_SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
_ANY_NON_NULL = ["array", "boolean", "number", "object", "string"]
_ADAPTER_ALIASES = {"postgresql": "postgres", "pg": "postgres", "sparksql": "spark"}
_REF = re.compile(r"""^\s*(ref|source)\s*\((.*)\)\s*$""")
_QUOTED = re.compile(r"""['"]([^'"]*)['"]""")
_FK_EXPRESSION = re.compile(r"^\s*(?P<to>[^()]+?)\s*\(\s*(?P<field>[^()]*?)\s*\)\s*$")


def _fail(model: str, message: str, pointer: str) -> InvalidSchemaError:
    return InvalidSchemaError(f"dbt model {model!r}: {message}", pointer=pointer)


class _Column:
    """What a column declares, gathered from its type, constraints and tests.

    A plain class with class-level defaults: wide models create one per column, and only the
    attributes a column actually declares are set on it.
    """

    not_null = False
    primary_key = False
    unique = False
    checks: list[str] | None = None
    relationships: list[dict[str, Any]] | None = None
    accepted_values: list[Any] | None = None

    def __init__(self, name: str, data_type: str | None, description: str | None) -> None:
        self.name = name
        self.data_type = data_type
        self.description = description


# --------------------------------------------------------------------------------------------------
# Picking the model
# --------------------------------------------------------------------------------------------------


def _pick_model(document: Mapping[str, Any], model: str | None) -> tuple[Mapping[str, Any], str]:
    models = document.get("models")
    if not isinstance(models, list) or not all(isinstance(m, Mapping) for m in models):
        raise InvalidSchemaError(
            "dbt properties document: 'models' must be a list of mappings", pointer="/models"
        )
    if model is not None:
        for i, candidate in enumerate(models):
            if candidate.get("name") == model:
                return candidate, f"/models/{i}"
        names = ", ".join(repr(m.get("name")) for m in models) or "none"
        raise InvalidSchemaError(
            f"dbt properties document has no model {model!r} (models: {names})", pointer="/models"
        )
    if len(models) != 1:
        raise InvalidSchemaError(
            f"dbt properties document has {len(models)} models; pick one by name", pointer="/models"
        )
    return models[0], "/models/0"


def _adapter_of(document: Mapping[str, Any], model_doc: Mapping[str, Any], adapter: str | None) -> str | None:
    """The alias table to use; None means every type is kept opaque."""
    raw = adapter or model_doc.get("adapter") or document.get("adapter") or "postgres"
    if not isinstance(raw, str):
        raise InvalidSchemaError(f"adapter must be a string, got {raw!r}", pointer="/adapter")
    name = _ADAPTER_ALIASES.get(raw.lower(), raw.lower())
    return name if name in ADAPTERS else None


# --------------------------------------------------------------------------------------------------
# Columns: constraints and tests
# --------------------------------------------------------------------------------------------------


def _iter_columns(model: str, raw: Any, pointer: str) -> Iterator[tuple[str, Mapping[str, Any], str | int]]:
    """(name, column, pointer token) per column; pointers are formatted only on error."""
    if raw is None:
        return
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            if value is None:
                value = {}
            if not isinstance(value, Mapping):
                raise _fail(model, f"column {key!r} must be a mapping", f"{pointer}/{_escape(str(key))}")
            yield str(value.get("name", key)), value, _escape(str(key))
        return
    if not isinstance(raw, list):
        raise _fail(model, "'columns' must be a list or a mapping", pointer)
    for i, value in enumerate(raw):
        if type(value) is not dict and not isinstance(value, Mapping):  # skip the ABC check for dicts
            raise _fail(model, f"column #{i} must be a mapping", f"{pointer}/{i}")
        name = value.get("name")
        if not isinstance(name, str) or not name:
            raise _fail(model, f"column #{i} has no name", f"{pointer}/{i}")
        yield name, value, i


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _relationship_target(raw: Any) -> Any:
    """``ref('customers')`` -> ``customers``; ``source('raw', 'orders')`` -> ``raw.orders``."""
    if not isinstance(raw, str):
        return raw
    m = _REF.match(raw)
    if not m:
        return raw.strip()
    return ".".join(_QUOTED.findall(m.group(2))) or raw.strip()


def _foreign_key(constraint: Mapping[str, Any]) -> dict[str, Any] | None:
    to, columns = constraint.get("to"), constraint.get("to_columns")
    if to is not None:
        field_name = columns[0] if isinstance(columns, list) and len(columns) == 1 else columns
        return {"to": _relationship_target(to), "field": field_name}
    expression = constraint.get("expression")
    if isinstance(expression, str):
        m = _FK_EXPRESSION.match(expression)
        if m:
            return {"to": _relationship_target(m.group("to")), "field": m.group("field")}
        return {"to": expression.strip()}
    return None


def _apply_constraint(model: str, col: _Column, constraint: Any, column_pointer: str, index: int) -> None:
    kind = constraint.get("type") if isinstance(constraint, Mapping) else None
    if not isinstance(kind, str):
        raise _fail(
            model,
            f"column {col.name!r}: a constraint must be a mapping with a 'type'",
            f"{column_pointer}/constraints/{index}",
        )
    kind = kind.lower()
    if kind == "not_null":
        col.not_null = True
    elif kind == "primary_key":
        col.primary_key = True
    elif kind == "unique":
        col.unique = True
    elif kind == "check":
        expression = constraint.get("expression")
        if not isinstance(expression, str):
            raise _fail(
                model,
                f"column {col.name!r}: a check constraint needs an 'expression'",
                f"{column_pointer}/constraints/{index}",
            )
        col.checks = [*(col.checks or ()), expression.strip()]
    elif kind == "foreign_key":
        fk = _foreign_key(constraint)
        if fk is not None:
            col.relationships = [*(col.relationships or ()), fk]
    # custom constraints carry no guarantee Tessera can compare


def _test_name_and_args(model: str, column: str, test: Any, pointer: str) -> tuple[str, Mapping[str, Any]]:
    """Both spellings: the payload's ``{name: accepted_values, values: [...]}`` and dbt YAML's
    ``accepted_values`` / ``{accepted_values: {values: [...]}}`` / ``{... {arguments: {...}}}``."""
    if isinstance(test, str):
        return test, {}
    if not isinstance(test, Mapping):
        raise _fail(model, f"column {column!r}: a test must be a name or a mapping", pointer)
    if isinstance(test.get("test_name"), str):
        name, args = test["test_name"], test
    elif len(test) == 1 and "name" not in test:
        ((name, args),) = test.items()
        if args is None:
            args = {}
        if not isinstance(name, str) or not isinstance(args, Mapping):
            raise _fail(model, f"column {column!r}: test {name!r} must map to its arguments", pointer)
    elif isinstance(test.get("name"), str):
        name, args = test["name"], test
    else:
        raise _fail(model, f"column {column!r}: a test mapping needs a 'name'", pointer)
    arguments = args.get("arguments")
    if isinstance(arguments, Mapping):
        args = {**args, **arguments}
    return name, args


def _conditional(args: Mapping[str, Any]) -> bool:
    config = args.get("config")
    return args.get("where") is not None or (isinstance(config, Mapping) and config.get("where") is not None)


def _apply_test(model: str, col: _Column, test: Any, tests_pointer: str, index: int) -> None:
    pointer = f"{tests_pointer}/{index}"
    name, args = _test_name_and_args(model, col.name, test, pointer)
    if _conditional(args):
        return
    name = name.rsplit(".", 1)[-1]
    if name == "not_null":
        col.not_null = True
    elif name == "unique":
        col.unique = True
    elif name == "accepted_values":
        values = args.get("values")
        if not isinstance(values, list):
            raise _fail(model, f"column {col.name!r}: accepted_values needs a 'values' list", pointer)
        if col.accepted_values is None:
            col.accepted_values = list(values)
        else:  # several accepted_values tests: every one must hold
            col.accepted_values = [v for v in col.accepted_values if v in values]
    elif name == "relationships":
        to = args.get("to")
        if to is not None:
            rel = {"to": _relationship_target(to), "field": args.get("field")}
            col.relationships = [*(col.relationships or ()), rel]


def _read_column(
    model: str, name: str, raw: Mapping[str, Any], columns_pointer: str, token: str | int
) -> _Column:
    # runs once per column of very wide models: the pointer is only formatted when needed
    data_type = raw.get("data_type")
    pointer = ""
    if data_type is not None and (not isinstance(data_type, str) or not data_type.strip()):
        if not isinstance(data_type, str):
            raise _fail(
                model, f"column {name!r}: data_type must be a string", f"{columns_pointer}/{token}/data_type"
            )
        data_type = None
    description = raw.get("description")
    col = _Column(name, data_type, description if isinstance(description, str) and description else None)
    constraints = raw.get("constraints")
    tests, data_tests = raw.get("tests"), raw.get("data_tests")
    if not (constraints or tests or data_tests):
        return col
    pointer = f"{columns_pointer}/{token}"
    if constraints:
        if not isinstance(constraints, list):
            raise _fail(model, f"column {name!r}: constraints must be a list", f"{pointer}/constraints")
        for i, constraint in enumerate(constraints):
            _apply_constraint(model, col, constraint, pointer, i)
    for key, listed in (("tests", tests), ("data_tests", data_tests)):
        if not listed:
            continue
        if not isinstance(listed, list):
            raise _fail(model, f"column {name!r}: {key} must be a list", f"{pointer}/{key}")
        for i, test in enumerate(listed):
            _apply_test(model, col, test, f"{pointer}/{key}", i)
    return col


# --------------------------------------------------------------------------------------------------
# Model-level constraints
# --------------------------------------------------------------------------------------------------


def _apply_model_constraints(
    model: str, raw: Any, columns: dict[str, _Column], root: dict[str, Any], pointer: str
) -> None:
    if raw is None:
        return
    if not isinstance(raw, list):
        raise _fail(model, "model-level 'constraints' must be a list", pointer)
    for i, constraint in enumerate(raw):
        ptr = f"{pointer}/{i}"
        if not isinstance(constraint, Mapping) or not isinstance(constraint.get("type"), str):
            raise _fail(model, "a model-level constraint must be a mapping with a 'type'", ptr)
        kind = constraint["type"].lower()
        names = constraint.get("columns") or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise _fail(model, f"{kind} constraint: 'columns' must be a list of column names", ptr)
        for n in names:
            if n not in columns:
                raise _fail(model, f"{kind} constraint names unknown column {n!r}", f"{ptr}/columns")
        targets = [columns[n] for n in names]
        if kind == "primary_key":
            for col in targets:
                col.not_null = True
            if len(targets) == 1:
                targets[0].primary_key = True
            elif targets:
                root["x-primary-key"] = list(names)
        elif kind == "not_null":
            for col in targets:
                col.not_null = True
        elif kind == "unique":
            if len(targets) == 1:
                targets[0].unique = True
            elif targets:
                root.setdefault("x-unique-together", []).append(list(names))
        elif kind == "check" and isinstance(constraint.get("expression"), str):
            root.setdefault("x-checks", []).append(constraint["expression"].strip())
        elif kind == "foreign_key":
            fk = _foreign_key(constraint)
            if fk is not None and len(targets) == 1:
                targets[0].relationships = [*(targets[0].relationships or ()), fk]
            elif fk is not None:
                root.setdefault("x-foreign-keys", []).append({"columns": list(names), **fk})


# --------------------------------------------------------------------------------------------------
# Column -> JSON Schema
# --------------------------------------------------------------------------------------------------


def _coerce(value: Any, json_type: Any) -> Any:
    """accepted_values are usually written as strings; match them to the column's JSON type."""
    if not isinstance(value, str):
        return value
    types = {json_type} if isinstance(json_type, str) else set(json_type or ())
    try:
        if "integer" in types:
            return int(value)
        if "number" in types:
            number = float(value)
            return int(number) if number.is_integer() else number
    except ValueError:
        return value
    if "boolean" in types and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


@lru_cache(maxsize=4096)
def _typed_template(
    data_type: str | None, adapter: str | None, nullable: bool
) -> tuple[dict[str, Any], bool]:
    """The type part of a column schema, and whether it holds nested dicts (copied per use)."""
    if data_type is None:
        return ({} if nullable else {"type": list(_ANY_NON_NULL)}), False
    canonical = parse_sql_type(data_type, adapter) if adapter else opaque_sql_type(data_type)
    schema = json_schema_for_sql_type(canonical)
    if nullable:
        json_type = schema["type"]
        types = [json_type] if isinstance(json_type, str) else list(json_type)
        schema["type"] = sorted({*types, "null"})
    return schema, any(isinstance(v, dict) for v in schema.values())


def _column_schema(col: _Column, adapter: str | None) -> dict[str, Any]:
    nullable = not (col.not_null or col.primary_key)
    template, nested = _typed_template(col.data_type, adapter, nullable)
    schema = copy.deepcopy(template) if nested else dict(template)
    if not nested and isinstance(schema.get("type"), list):
        schema["type"] = list(schema["type"])
    if col.accepted_values is not None:
        values = [_coerce(v, schema.get("type")) for v in col.accepted_values]
        if nullable and None not in values:
            values.append(None)
        schema["enum"] = values
    _add_guarantees(schema, col)
    return schema


def _add_guarantees(schema: dict[str, Any], col: _Column) -> None:
    """The column's description and guarantees (annotations and extension keys)."""
    if col.description:
        schema["description"] = col.description
    if col.primary_key:
        schema["x-primary-key"] = True
    if col.unique:
        schema["x-unique"] = True
    if col.checks:
        schema["x-checks"] = sorted(set(col.checks))
    if col.relationships:
        unique_rels = {repr(sorted(r.items())): r for r in col.relationships}
        rels = [unique_rels[k] for k in sorted(unique_rels)]
        schema["x-relationship"] = rels[0] if len(rels) == 1 else rels


def normalize_dbt(
    document: Mapping[str, Any], *, adapter: str | None = None, model: str | None = None
) -> dict[str, Any]:
    """JSON Schema of one dbt model (a closed object whose properties are its columns, in order).

    ``document`` is a dbt model document or a properties YAML (``models: [...]``); ``model`` picks
    a model by name from the latter. ``adapter`` overrides the document's ``adapter`` (default
    ``postgres``). Raises :class:`~tessera_core.errors.InvalidSchemaError` naming the model and
    column on malformed input. ``normalize(document, "dbt")`` gives the canonical form of the
    same schema (:func:`canonical_dbt_schema`), the one to compare and store.
    """
    root, columns, adapter_name, model_doc = _read_model(document, adapter, model)
    root = {"$schema": _SCHEMA_URI, **root}
    root["properties"] = {n: _column_schema(col, adapter_name) for n, col in columns.items()}
    root["required"] = [n for n, col in columns.items() if col.not_null or col.primary_key]
    root["additionalProperties"] = False
    _annotate_model(root, model_doc, adapter_name)
    return root


def canonical_dbt_schema(
    document: Mapping[str, Any], *, adapter: str | None = None, model: str | None = None
) -> CanonicalSchema:
    """``normalize_jsonschema(normalize_dbt(document))`` in one pass (what ``normalize(doc, "dbt")`` runs).

    Each column is built from its type's canonical template (canonicalized once per type and
    nullability) plus its annotations and guarantees, which canonicalization leaves as they are;
    only columns with ``accepted_values`` are canonicalized one by one (their enum absorbs the
    type's assertions). ``tests/core/schema/test_dbt_canonical.py`` checks the equality with the
    two-pass result on generated models.
    """
    root, columns, adapter_name, model_doc = _read_model(document, adapter, model)
    root["type"] = ["object"]
    root["properties"] = {n: _canonical_column(col, adapter_name) for n, col in columns.items()}
    root["required"] = [n for n, col in columns.items() if col.not_null or col.primary_key]
    root["additionalProperties"] = False
    _annotate_model(root, model_doc, adapter_name)
    canonical = canonicalize_owned(root)  # the root only: its columns are canonical already
    assert isinstance(canonical, dict)
    return _seal(canonical)


def _read_model(
    document: Mapping[str, Any], adapter: str | None, model: str | None
) -> tuple[dict[str, Any], dict[str, _Column], str | None, Mapping[str, Any]]:
    """(root annotations and model-level guarantees, columns by name, adapter, the model document)."""
    if not isinstance(document, Mapping):
        raise InvalidSchemaError(f"a dbt document must be a mapping, got {type(document).__name__}")
    if "models" in document and "columns" not in document:
        model_doc, pointer = _pick_model(document, model)
    else:
        model_doc, pointer = document, ""
    name = model_doc.get("name")
    model_name = name if isinstance(name, str) else "<unnamed>"
    adapter_name = _adapter_of(document, model_doc, adapter)

    columns: dict[str, _Column] = {}
    columns_pointer = f"{pointer}/columns"
    for col_name, raw, token in _iter_columns(model_name, model_doc.get("columns"), columns_pointer):
        if col_name in columns:
            raise _fail(model_name, f"column {col_name!r} is declared twice", f"{columns_pointer}/{token}")
        columns[col_name] = _read_column(model_name, col_name, raw, columns_pointer, token)

    root: dict[str, Any] = {"type": "object"}
    if isinstance(name, str):
        root["title"] = name
    description = model_doc.get("description")
    if isinstance(description, str) and description:
        root["description"] = description
    _apply_model_constraints(
        model_name, model_doc.get("constraints"), columns, root, f"{pointer}/constraints"
    )
    return root, columns, adapter_name, model_doc


@lru_cache(maxsize=4096)
def _canonical_template(
    data_type: str | None, adapter: str | None, nullable: bool
) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    """The canonical form of :func:`_typed_template` (never handed out: copied per column), whether
    it holds nested schemas, and which of its values are (flat) lists."""
    template, _ = _typed_template(data_type, adapter, nullable)
    canonical = dict(normalize_jsonschema(copy.deepcopy(template)))
    nested = any(isinstance(v, dict) for v in canonical.values())
    return canonical, nested, tuple(k for k, v in canonical.items() if isinstance(v, list))


def _canonical_column(col: _Column, adapter: str | None) -> Any:
    nullable = not (col.not_null or col.primary_key)
    template, nested, lists = _canonical_template(col.data_type, adapter, nullable)
    if nested:
        schema = copy.deepcopy(template)
    else:  # no list or dict is shared between columns
        schema = dict(template)
        for key in lists:
            schema[key] = list(schema[key])
    _add_guarantees(schema, col)
    if col.accepted_values is None:
        return dict(sorted(schema.items()))
    raw_type = _typed_template(col.data_type, adapter, nullable)[0].get("type")
    values = [_coerce(v, raw_type) for v in col.accepted_values]
    if nullable and None not in values:
        values.append(None)
    schema["enum"] = values
    return canonicalize_owned(schema)  # the enum absorbs the type's assertions (or nothing is valid)


def _annotate_model(root: dict[str, Any], model_doc: Mapping[str, Any], adapter: str | None) -> None:
    raw_config = model_doc.get("config")
    config: Mapping[str, Any] = raw_config if isinstance(raw_config, Mapping) else {}
    contract = model_doc.get("contract") or config.get("contract")
    enforced = model_doc.get("contract_enforced")
    if enforced is None and isinstance(contract, Mapping):
        enforced = contract.get("enforced")
    if isinstance(enforced, bool):
        root["x-dbt-contract-enforced"] = enforced
    materialized = model_doc.get("materialized") or config.get("materialized")
    if isinstance(materialized, str):
        root["x-dbt-materialized"] = materialized
    root["x-dbt-adapter"] = adapter or "opaque"
