"""Typed view of the project payload that the macros (or the manifest reader) produce.

The payload is plain JSON so that Jinja can build it; this module turns it into frozen records once,
and every decision (opt-in, selection, FQNs, owners) is made on these records in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tessera_dbt.errors import PayloadError

COMMANDS = ("publish", "check", "register", "gate")


@dataclass(frozen=True)
class Relation:
    """Where dbt builds (or reads) a table."""

    database: str | None
    schema: str | None
    identifier: str | None

    @property
    def fqn(self) -> str:
        """``database.schema.identifier``, lower-cased, skipping empty parts."""
        parts = (self.database, self.schema, self.identifier)
        return ".".join(str(p).lower() for p in parts if p)


@dataclass(frozen=True)
class ModelRecord:
    """One model of the root project, with its dbt model document (``format: dbt``)."""

    unique_id: str
    name: str
    package_name: str
    path: str
    version: str | int | float | None
    latest_version: str | int | float | None
    deprecation_date: str | None
    access: str | None
    group: str | None
    group_owner: Mapping[str, Any] | None
    relation: Relation
    tags: tuple[str, ...]
    tessera: Mapping[str, Any]
    depends_on: tuple[str, ...]
    document: Mapping[str, Any]

    @property
    def contract_enforced(self) -> bool:
        """Whether dbt enforces this model's contract."""
        return bool(self.document.get("contract_enforced"))

    @property
    def display_name(self) -> str:
        """``name`` or ``name.v2`` for versioned models."""
        return f"{self.name}.v{self.version}" if self.version is not None else self.name


@dataclass(frozen=True)
class UpstreamRecord:
    """A source, or a model of another project/package, that root-project models read."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str
    relation: Relation
    tessera: Mapping[str, Any]
    contract_enforced: bool
    access: str | None
    columns: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class ProjectPayload:
    """Everything one macro call (or one manifest read) collected about the project."""

    command: str
    project: str
    target: str | None
    adapter: str | None
    options: Mapping[str, Any]
    vars: Mapping[str, Any]
    selected: tuple[str, ...] | None
    models: tuple[ModelRecord, ...]
    upstreams: Mapping[str, UpstreamRecord] = field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        """An option passed to the operation (``--args``), ``default`` when absent or null."""
        value = self.options.get(name)
        return default if value is None else value


def _relation(raw: Any, where: str) -> Relation:
    if not isinstance(raw, Mapping):
        raise PayloadError(f"{where}: 'relation' must be an object")
    return Relation(raw.get("database"), raw.get("schema"), raw.get("identifier"))


def _model(raw: Mapping[str, Any]) -> ModelRecord:
    where = str(raw.get("unique_id", "model"))
    document = raw.get("document")
    if not isinstance(document, Mapping):
        raise PayloadError(f"{where}: 'document' must be an object")
    return ModelRecord(
        unique_id=where,
        name=str(raw.get("name", "")),
        package_name=str(raw.get("package_name", "")),
        path=str(raw.get("path") or ""),
        version=raw.get("version"),
        latest_version=raw.get("latest_version"),
        deprecation_date=raw.get("deprecation_date"),
        access=raw.get("access"),
        group=raw.get("group"),
        group_owner=raw.get("group_owner") or None,
        relation=_relation(raw.get("relation"), where),
        tags=tuple(raw.get("tags") or ()),
        tessera=_tessera_meta(raw.get("tessera"), where),
        depends_on=tuple(raw.get("depends_on") or ()),
        document=document,
    )


def _upstream(raw: Mapping[str, Any]) -> UpstreamRecord:
    where = str(raw.get("unique_id", "upstream"))
    return UpstreamRecord(
        unique_id=where,
        resource_type=str(raw.get("resource_type", "")),
        name=str(raw.get("name", "")),
        package_name=str(raw.get("package_name", "")),
        relation=_relation(raw.get("relation"), where),
        tessera=_tessera_meta(raw.get("tessera"), where),
        contract_enforced=bool(raw.get("contract_enforced")),
        access=raw.get("access"),
        columns=tuple(raw.get("columns") or ()),
    )


def _tessera_meta(raw: Any, where: str) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise PayloadError(f"{where}: meta.tessera must be a mapping, got {type(raw).__name__}")
    return raw


def parse_payload(raw: Mapping[str, Any]) -> ProjectPayload:
    """Validate and type a payload dict (as logged by the macros or built by the manifest reader)."""
    command = raw.get("command")
    if command not in COMMANDS:
        raise PayloadError(f"unknown Tessera command {command!r}; expected one of {', '.join(COMMANDS)}")
    models = raw.get("models")
    if not isinstance(models, list):
        raise PayloadError("payload 'models' must be a list")
    upstreams = raw.get("upstreams") or {}
    selected = raw.get("selected")
    return ProjectPayload(
        command=str(command),
        project=str(raw.get("project", "")),
        target=raw.get("target"),
        adapter=raw.get("adapter"),
        options=dict(raw.get("options") or {}),
        vars=dict(raw.get("vars") or {}),
        selected=tuple(selected) if selected is not None else None,
        models=tuple(_model(m) for m in models),
        upstreams={uid: _upstream(u) for uid, u in upstreams.items()},
    )
