"""THE one place that turns collected dbt records into Tessera client calls.

The plugin (macros -> log -> callback) and the ``tessera dbt`` CLI (dbtRunner or manifest.json) both
end here, so a model produces the same bulk-publish item whichever way it travelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tessera_core.errors import InvalidSchemaError
from tessera_core.schema.dbt import normalize_dbt
from tessera_core.schema.sql_types import ADAPTERS
from tessera_core.types import Mode
from tessera_dbt.records import ModelRecord, ProjectPayload, UpstreamRecord
from tessera_dbt.selection import opts_in, select_models

KIND = "dbt_model"
FORMAT = "dbt"
REGISTRATION_SOURCE = "dbt"
_METADATA_FIELDS = ("version", "latest_version", "deprecation_date", "access", "group")


@dataclass(frozen=True)
class Problem:
    """Something wrong with one model, found before anything is sent."""

    subject: str
    message: str
    error: bool

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


@dataclass
class PublishPlan:
    """The bulk-publish items to send, the models they come from (same order), and local problems."""

    models: list[ModelRecord] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that stop a model from being sent."""
        return [p for p in self.problems if p.error]


@dataclass
class RegisterPlan:
    """The bulk-register items to send and local problems."""

    items: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def model_fqn(model: ModelRecord) -> str:
    """``meta.tessera.fqn``, else ``database.schema.alias`` (lower-cased)."""
    return str(model.tessera.get("fqn") or model.relation.fqn)


def upstream_fqn(upstream: UpstreamRecord) -> str:
    """``meta.tessera.fqn`` of a source/model, else ``database.schema.identifier`` (lower-cased)."""
    return str(upstream.tessera.get("fqn") or upstream.relation.fqn)


def owner_team(model: ModelRecord) -> str | None:
    """``meta.tessera.owner_team``, else the name of the model's group owner."""
    explicit = model.tessera.get("owner_team")
    if explicit:
        return str(explicit)
    owner = model.group_owner or {}
    return str(owner["name"]) if owner.get("name") else None


def _mode(model: ModelRecord, payload: ProjectPayload) -> str | None:
    raw = model.tessera.get("mode") or payload.vars.get("mode")
    if raw is None:
        return None
    return Mode(str(raw).lower()).value


def _metadata(model: ModelRecord, payload: ProjectPayload) -> dict[str, Any]:
    dbt: dict[str, Any] = {
        "unique_id": model.unique_id,
        "project": payload.project,
        "path": model.path,
        "contract_enforced": model.contract_enforced,
        "materialized": model.document.get("materialized"),
    }
    dbt.update({name: getattr(model, name) for name in _METADATA_FIELDS if getattr(model, name) is not None})
    return {"dbt": dbt}


def _lineage(model: ModelRecord, payload: ProjectPayload, fqns: Mapping[str, str]) -> list[str]:
    upstream = []
    for uid in model.depends_on:
        if uid in fqns:
            upstream.append(fqns[uid])
        elif uid in payload.upstreams:
            upstream.append(upstream_fqn(payload.upstreams[uid]))
    return sorted(set(upstream))


def _document_problems(model: ModelRecord) -> list[Problem]:
    columns = model.document.get("columns") or []
    if not columns:
        return [
            Problem(
                model.display_name,
                "declares no columns, so there is no schema to publish; list its columns with a "
                "data_type in the model's YAML (or set meta.tessera.publish: false)",
                error=True,
            )
        ]
    problems = []
    untyped = [str(c.get("name")) for c in columns if not c.get("data_type")]
    if untyped:
        problems.append(
            Problem(
                model.display_name,
                f"column(s) without data_type accept any value in the contract: {', '.join(untyped)}",
                error=False,
            )
        )
    return problems + _normalizer_problems(model)


def _normalizer_problems(model: ModelRecord) -> list[Problem]:
    """Run the service's dbt normalizer locally: a malformed document is an error for this model alone
    (instead of a rejected batch), and types the adapter's lattice does not know are a warning."""
    try:
        schema = normalize_dbt(model.document)
    except InvalidSchemaError as exc:
        return [Problem(model.display_name, f"invalid model document: {exc}", error=True)]
    adapter = model.document.get("adapter")
    if adapter not in ADAPTERS:
        return []
    opaque = [
        f"{name} ({prop['x-sql-type'].removeprefix('opaque:')})"
        for name, prop in (schema.get("properties") or {}).items()
        if isinstance(prop, Mapping) and str(prop.get("x-sql-type", "")).startswith("opaque:")
    ]
    if not opaque:
        return []
    return [
        Problem(
            model.display_name,
            f"type(s) unknown to Tessera's {adapter} type rules, compared verbatim (any change counts as "
            f"a type change): {', '.join(opaque)}",
            error=False,
        )
    ]


def publish_candidates(payload: ProjectPayload) -> list[ModelRecord]:
    """Opted-in models matching the operation's ``select`` (and, for the gate, dbt's selection)."""
    chosen = select_models(payload.models, payload.option("select"), payload.selected)
    return [model for model in chosen if opts_in(model, payload.vars)]


def build_publish_plan(payload: ProjectPayload) -> PublishPlan:
    """Bulk-publish items (fqn, format "dbt", schema, owner_team, mode, kind, description, metadata, tags,
    depends_on) for every opted-in, selected model; models with errors are left out and reported."""
    fqns = {model.unique_id: model_fqn(model) for model in payload.models}
    plan = PublishPlan()
    for model in publish_candidates(payload):
        problems = _document_problems(model)
        try:
            mode = _mode(model, payload)
        except ValueError:
            problems.append(
                Problem(
                    model.display_name,
                    f"unknown compatibility mode {model.tessera.get('mode') or payload.vars.get('mode')!r}; "
                    f"use one of {', '.join(m.value for m in Mode)}",
                    error=True,
                )
            )
            mode = None
        plan.problems.extend(problems)
        if any(p.error for p in problems):
            continue
        item: dict[str, Any] = {
            "fqn": fqns[model.unique_id],
            "format": FORMAT,
            "schema": dict(model.document),
            "owner_team": owner_team(model),
            "mode": mode,
            "kind": KIND,
            "description": model.document.get("description") or None,
            "metadata": _metadata(model, payload),
            "tags": list(model.tags),
            "depends_on": _lineage(model, payload, fqns),
        }
        plan.models.append(model)
        plan.items.append({key: value for key, value in item.items() if value is not None})
    return plan


def _registrable(upstream: UpstreamRecord) -> bool:
    if upstream.tessera.get("register") is False:
        return False
    if upstream.resource_type == "source":
        return True
    return upstream.contract_enforced or upstream.access == "public" or bool(upstream.tessera.get("fqn"))


def used_columns(columns: tuple[Mapping[str, Any], ...] | list[Any]) -> list[str] | None:
    """Columns a consumer reads: those marked ``meta.tessera.used: true``, else every declared column,
    else ``None`` (all)."""
    names = [str(c.get("name")) for c in columns if isinstance(c, Mapping) and c.get("name")]
    marked = [
        str(c.get("name"))
        for c in columns
        if isinstance(c, Mapping) and ((c.get("meta") or {}).get("tessera") or {}).get("used")
    ]
    return marked or names or None


def _consumes(model: ModelRecord) -> list[tuple[str, list[str] | None]]:
    declared = model.tessera.get("consumes") or []
    if isinstance(declared, str | Mapping):
        declared = [declared]
    out: list[tuple[str, list[str] | None]] = []
    for entry in declared:
        if isinstance(entry, Mapping):
            columns = entry.get("columns")
            out.append((str(entry.get("fqn")), [str(c) for c in columns] if columns else None))
        else:
            out.append((str(entry), None))
    return out


def build_register_plan(payload: ProjectPayload) -> RegisterPlan:
    """Bulk-register items (fqn, team, consumer_ref ``dbt:<project>.<model>``, source "dbt", columns) for
    the sources, cross-project refs and ``meta.tessera.consumes`` of every selected model."""
    plan = RegisterPlan()
    seen: set[tuple[str, str, str]] = set()
    for model in select_models(payload.models, payload.option("select"), payload.selected):
        wanted: list[tuple[str, list[str] | None]] = [
            (upstream_fqn(up), used_columns(up.columns))
            for uid in model.depends_on
            if (up := payload.upstreams.get(uid)) is not None and _registrable(up)
        ]
        wanted.extend(_consumes(model))
        if not wanted:
            continue
        team = model.tessera.get("team") or payload.vars.get("team")
        if not team:
            plan.problems.append(
                Problem(
                    model.display_name,
                    "no consumer team: set var tessera_team in dbt_project.yml or meta.tessera.team",
                    error=True,
                )
            )
            continue
        consumer_ref = f"dbt:{payload.project}.{model.display_name}"
        for fqn, columns in wanted:
            key = (fqn, str(team), consumer_ref)
            if key in seen:
                continue
            seen.add(key)
            item: dict[str, Any] = {
                "fqn": fqn,
                "team": str(team),
                "consumer_ref": consumer_ref,
                "source": REGISTRATION_SOURCE,
            }
            if columns:
                item["columns"] = columns
            plan.items.append(item)
    return plan
