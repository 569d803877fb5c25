"""Impact analysis of a proposed schema."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tessera_core.models.base import RequestModel, ResponseModel
from tessera_core.models.publishing import ChangeInfo
from tessera_core.types import SchemaFormat


class ImpactRequest(RequestModel):
    """Which assets and teams would a new schema for ``fqn`` affect?"""

    fqn: str = Field(min_length=1, max_length=500)
    schema_: dict[str, Any] = Field(alias="schema")
    format: SchemaFormat = SchemaFormat.JSONSCHEMA
    max_depth: int = Field(default=50, ge=1, le=1000)


class DownstreamAsset(ResponseModel):
    """An asset reached through lineage, with its distance from the changed one."""

    fqn: str
    depth: int
    owner_team: str | None = None


class ImpactResult(ResponseModel):
    """Direct consumers that must acknowledge, plus everything downstream of the asset."""

    fqn: str
    breaking: bool
    changes: list[ChangeInfo] = Field(default_factory=list)
    affected_teams: list[str] = Field(default_factory=list, description="direct consumers affected")
    downstream: list[DownstreamAsset] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list, description="every team affected, transitively")
