"""Publishing contracts: one asset, many assets in one request, and the dry-run check."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from tessera_core.models.base import ErrorInfo, RequestModel, ResponseModel
from tessera_core.models.enums import ProposalStatus, PublishOutcome
from tessera_core.types import Mode, Relation, SchemaFormat, Severity

FQN_FIELD = Field(min_length=1, max_length=500, description="fully qualified name of the asset")


class PublishItem(RequestModel):
    """One contract to publish. ``schema`` is the SOURCE document; the service normalizes it.

    ``mode`` is not a per-request switch: it changes the asset's policy (audited) and is only applied when
    the asset is created or when the caller owns it.
    """

    fqn: str = FQN_FIELD
    format: SchemaFormat = SchemaFormat.JSONSCHEMA
    schema_: dict[str, Any] = Field(alias="schema", description="the source document")
    owner_team: str | None = Field(default=None, description="defaults to the caller's team")
    mode: Mode | None = None
    kind: str | None = Field(default=None, max_length=100)
    description: str | None = None
    metadata: dict[str, Any] | None = None
    tags: list[str] | None = None
    guarantees: dict[str, Any] | None = None
    depends_on: list[str] | None = Field(default=None, description="upstream FQNs (lineage)")
    force_reason: str | None = Field(
        default=None,
        min_length=3,
        max_length=5000,
        description="admin only: publish even if breaking, without acknowledgments (audited)",
    )


class ChangeInfo(ResponseModel):
    """One classified change between two schemas."""

    rule: str
    path: str
    severity: Severity
    message: str
    relation: Relation | None = None
    field: str | None = Field(default=None, description="top-level property/column, when there is one")


class PublishResult(ResponseModel):
    """What a publish did, or (dry run) would do, for one asset.

    ``awaiting`` lists the teams that must acknowledge before the change ships. ``proposal_id`` is the
    proposal opened (or, re-publishing the same schema, the one already open). In a dry run, ``proposal_id``
    and ``proposal_status`` describe an existing proposal for exactly this schema, if there is one.
    """

    fqn: str
    outcome: PublishOutcome
    version: str | None = Field(default=None, description="the active version after the publish")
    previous_version: str | None = None
    target_version: str | None = Field(default=None, description="version the proposal would publish")
    proposal_id: uuid.UUID | None = None
    proposal_status: ProposalStatus | None = None
    awaiting: list[str] = Field(default_factory=list)
    changes: list[ChangeInfo] = Field(default_factory=list)
    message: str = ""
    error: ErrorInfo | None = None
    dry_run: bool = False


class BulkPublishRequest(RequestModel):
    """Many contracts in one request and one transaction; ``dry_run`` makes it the check."""

    items: list[PublishItem] = Field(min_length=1)
    dry_run: bool = False


class BulkPublishResult(ResponseModel):
    """Per-item outcomes, in request order, plus counts per outcome."""

    dry_run: bool
    results: list[PublishResult]
    counts: dict[str, int] = Field(default_factory=dict)
