"""Assets and their contracts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from tessera_core.models.base import RequestModel, ResponseModel
from tessera_core.models.enums import ContractStatus
from tessera_core.types import Mode, SchemaFormat


class AssetSet(RequestModel):
    """Create an asset or change its policy (owner team or admin). Omitted fields keep their value."""

    owner_team: str | None = Field(default=None, description="required when the asset is new")
    mode: Mode | None = Field(default=None, description="compatibility mode (asset policy, audited)")
    kind: str | None = Field(default=None, max_length=100)
    description: str | None = None
    metadata: dict[str, Any] | None = None
    tags: list[str] | None = None
    proposal_ttl_seconds: int | None = Field(
        default=None,
        ge=1,
        le=10 * 365 * 86400,
        description="override of the service's default proposal lifetime",
    )


class Asset(ResponseModel):
    """An asset: something with a schema that one team produces and others consume."""

    id: uuid.UUID
    fqn: str
    kind: str
    owner_team: str | None = Field(description="None until a producer claims the asset")
    mode: Mode
    description: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    proposal_ttl_seconds: int | None = None
    active_version: str | None = None
    created_at: datetime
    updated_at: datetime


class Contract(ResponseModel):
    """A published version of an asset's contract."""

    id: uuid.UUID
    fqn: str
    version: str
    schema_: dict[str, Any] = Field(alias="schema", description="canonical JSON Schema 2020-12")
    source: Any = Field(description="the document as published, before normalization")
    format: SchemaFormat
    guarantees: dict[str, Any] = Field(default_factory=dict)
    status: ContractStatus
    published_by: str | None = None
    published_at: datetime
