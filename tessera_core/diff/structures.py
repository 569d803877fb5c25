"""Diff handlers for arrays (tuple items, items, contains) and objects (properties, content model)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tessera_core.diff.model import EMPTY, DiffRecord, escape
from tessera_core.schema.vocabulary import ALIASES, TOLERANT, catch_all_schema, is_unconstrained

if TYPE_CHECKING:
    from tessera_core.diff.engine import DiffContext, Facts

Schema = dict[str, Any]
_MISSING: Any = object()


def _rest_items(node: Schema) -> Any:
    """The schema of positions after ``prefixItems``."""
    return node["items"] if "items" in node else node.get("unevaluatedItems", EMPTY)


def diff_arrays(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """Positions of ``prefixItems`` (falling back to ``items``), ``items``, ``contains``, uniqueness."""
    if not facts.array:
        return
    old_prefix, new_prefix = old.get("prefixItems", ()), new.get("prefixItems", ())
    old_rest, new_rest = _rest_items(old), _rest_items(new)
    for index in range(max(len(old_prefix), len(new_prefix))):
        out += ctx.diff(
            old_prefix[index] if index < len(old_prefix) else old_rest,
            new_prefix[index] if index < len(new_prefix) else new_rest,
            f"{path}/prefixItems/{index}",
            rev,
        )
    out += ctx.diff(old_rest, new_rest, f"{path}/items", rev)
    out += ctx.diff(
        old.get("unevaluatedItems", EMPTY),
        new.get("unevaluatedItems", EMPTY),
        f"{path}/unevaluatedItems",
        rev,
    )
    old_unique, new_unique = old.get("uniqueItems") is True, new.get("uniqueItems") is True
    if old_unique != new_unique:
        out.append(
            ctx.record(
                "unique-items-added" if new_unique else "unique-items-removed", f"{path}/uniqueItems", rev
            )
        )
    if "contains" in old and "contains" in new:
        out += ctx.diff(old["contains"], new["contains"], f"{path}/contains", rev)
    elif "contains" in old or "contains" in new:
        kind = "contains-added" if "contains" in new else "contains-removed"
        out.append(ctx.record(kind, f"{path}/contains", rev, old.get("contains"), new.get("contains")))


#: The four content-model transitions of a catch-all keyword: (old state, new state) -> stem.
_CATCH_ALL_KINDS: dict[tuple[str, str], str] = {
    ("open", "closed"): "closed",
    ("schema", "closed"): "closed",
    ("closed", "open"): "opened",
    ("closed", "schema"): "opened",
    ("schema", "open"): "widened",
    ("open", "schema"): "narrowed",
}


def _catch_all_state(value: Any) -> str:
    if value is _MISSING or (value is not False and is_unconstrained(value)):
        return "open"
    return "closed" if value is False else "schema"


def renamed_properties(old: Schema, new: Schema) -> dict[str, str]:
    """Old property name -> new property name, for renames declared through ``x-aliases``.

    A property of ``new`` that ``old`` lacks and whose ``x-aliases`` names a property of ``old``
    that ``new`` lacks is that property renamed (Avro schema resolution: reader field aliases
    match writer field names). Only between closed slots (the old name is no longer allowed, the
    new one was not allowed before), where a rename is not already a change of catch-all
    schema. The first new property (in name order) claiming an old name takes it.
    """
    old_props: Schema = old.get("properties", EMPTY)
    new_props: Schema = new.get("properties", EMPTY)
    renames: dict[str, str] = {}
    for name, schema in new_props.items():
        if name in old_props or not isinstance(schema, dict):
            continue
        aliases = schema.get(ALIASES)
        if not isinstance(aliases, list) or catch_all_schema(old, name) is not False:
            continue
        for alias in aliases:
            if (
                isinstance(alias, str)
                and alias in old_props
                and alias not in new_props
                and alias not in renames
                and catch_all_schema(new, alias) is False
            ):
                renames[alias] = name
                break
    return renames


def diff_objects(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """Properties against each side's content model, renames, required, catch-alls, dependencies, names."""
    if not facts.object:
        return
    tolerant = old.get(TOLERANT) is True or new.get(TOLERANT) is True
    old_props: Schema = old.get("properties", EMPTY)
    new_props: Schema = new.get("properties", EMPTY)
    renames: dict[str, str] | None = None  # computed at the first property missing from ``new``
    for name, old_schema in old_props.items():
        where = f"{path}/properties/{escape(name)}"
        new_schema = new_props.get(name, _MISSING)
        if new_schema is not _MISSING:
            if old_schema is not new_schema:
                out += ctx.diff(old_schema, new_schema, where, rev)
            continue
        if renames is None:
            renames = renamed_properties(old, new)
        if name in renames:
            target = renames[name]
            out.append(ctx.record("property-renamed", where, rev, name, target, tolerant=tolerant))
            out += ctx.diff(old_schema, new_props[target], f"{path}/properties/{escape(target)}", rev)
            continue
        catch_all = catch_all_schema(new, name)
        if catch_all is False:
            out.append(ctx.record("property-removed", where, rev, old_schema, None, tolerant=tolerant))
        elif is_unconstrained(catch_all):
            out.append(
                ctx.record(
                    "property-removed-from-open-model", where, rev, old_schema, None, tolerant=tolerant
                )
            )
        else:
            out += ctx.diff(old_schema, catch_all, where, rev)
    sources = {target: source for source, target in (renames or {}).items()}
    for name, new_schema in new_props.items():
        if name in old_props or name in sources:
            continue
        where = f"{path}/properties/{escape(name)}"
        catch_all = catch_all_schema(old, name)
        if catch_all is False:
            out.append(ctx.record("property-added", where, rev, None, new_schema, tolerant=tolerant))
        elif is_unconstrained(catch_all):
            if not is_unconstrained(new_schema):
                out.append(
                    ctx.record(
                        "property-added-to-open-model", where, rev, None, new_schema, tolerant=tolerant
                    )
                )
        else:
            out += ctx.diff(catch_all, new_schema, where, rev)
    _diff_required(ctx, old, new, path, rev, sources, out)
    for keyword, stem in (
        ("additionalProperties", "additional-properties"),
        ("unevaluatedProperties", "unevaluated-properties"),
    ):
        old_value, new_value = old.get(keyword, _MISSING), new.get(keyword, _MISSING)
        if old_value is new_value or old_value == new_value:
            continue
        transition = (_catch_all_state(old_value), _catch_all_state(new_value))
        if transition in _CATCH_ALL_KINDS:
            out.append(
                ctx.record(
                    f"{stem}-{_CATCH_ALL_KINDS[transition]}",
                    f"{path}/{keyword}",
                    rev,
                    None if old_value is _MISSING else old_value,
                    None if new_value is _MISSING else new_value,
                    tolerant=tolerant,
                )
            )
        elif transition == ("schema", "schema"):
            out += ctx.diff(old_value, new_value, f"{path}/{keyword}", rev)
    _diff_pattern_properties(ctx, old, new, path, rev, out)
    out += ctx.diff(
        old.get("propertyNames", EMPTY), new.get("propertyNames", EMPTY), f"{path}/propertyNames", rev
    )
    _diff_dependencies(ctx, old, new, path, rev, out)


def _diff_required(
    ctx: DiffContext,
    old: Schema,
    new: Schema,
    path: str,
    rev: bool,
    sources: dict[str, str],
    out: list[DiffRecord],
) -> None:
    """``required`` names added and removed; a renamed property keeps the old name's requirement.

    Through a rename (``sources``: new name -> old name) new readers find the old name's value
    under the alias, so requiring the new name is no change when the old one was required. The
    old name is no longer required in any case: readers of the old schema do not know the new
    name (``required-removed``, which breaks ``forward`` unless readers had a default).
    """
    old_required, new_required = old.get("required", ()), new.get("required", ())
    if old_required == new_required:
        return
    before = set(old_required)
    for name in sorted(set(new_required) - before):
        if sources.get(name) in before:
            continue
        out.append(ctx.record("required-added", f"{path}/properties/{escape(name)}", rev, None, name))
    for name in sorted(before - set(new_required)):
        out.append(ctx.record("required-removed", f"{path}/properties/{escape(name)}", rev, name, None))


def _diff_pattern_properties(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, out: list[DiffRecord]
) -> None:
    """Same pattern: recurse. Added/removed pattern: its schema against the other side's catch-all."""
    old_patterns: Schema = old.get("patternProperties", EMPTY)
    new_patterns: Schema = new.get("patternProperties", EMPTY)
    for pattern in sorted(old_patterns.keys() | new_patterns.keys()):
        where = f"{path}/patternProperties/{escape(pattern)}"
        if pattern in old_patterns and pattern in new_patterns:
            out += ctx.diff(old_patterns[pattern], new_patterns[pattern], where, rev)
        elif pattern in new_patterns:
            before = old.get("additionalProperties", EMPTY)
            if before is not False and is_unconstrained(before):
                out.append(ctx.record("pattern-property-added", where, rev, None, new_patterns[pattern]))
            else:
                out += ctx.diff(before, new_patterns[pattern], where, rev)
        else:
            after = new.get("additionalProperties", EMPTY)
            if after is not False and is_unconstrained(after):
                out.append(ctx.record("pattern-property-removed", where, rev, old_patterns[pattern], None))
            else:
                out += ctx.diff(old_patterns[pattern], after, where, rev)


def _diff_dependencies(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, out: list[DiffRecord]
) -> None:
    old_required: Schema = old.get("dependentRequired", EMPTY)
    new_required: Schema = new.get("dependentRequired", EMPTY)
    for name in sorted(old_required.keys() | new_required.keys()):
        before, after = set(old_required.get(name, ())), set(new_required.get(name, ()))
        where = f"{path}/dependentRequired/{escape(name)}"
        if after - before:
            out.append(ctx.record("dependent-required-added", where, rev, None, sorted(after - before)))
        if before - after:
            out.append(ctx.record("dependent-required-removed", where, rev, sorted(before - after), None))
    old_schemas: Schema = old.get("dependentSchemas", EMPTY)
    new_schemas: Schema = new.get("dependentSchemas", EMPTY)
    for name in sorted(old_schemas.keys() | new_schemas.keys()):
        where = f"{path}/dependentSchemas/{escape(name)}"
        if name in old_schemas and name in new_schemas:
            out += ctx.diff(old_schemas[name], new_schemas[name], where, rev)
        elif name in new_schemas:
            out.append(ctx.record("dependent-schema-added", where, rev, None, new_schemas[name]))
        else:
            out.append(ctx.record("dependent-schema-removed", where, rev, old_schemas[name], None))
