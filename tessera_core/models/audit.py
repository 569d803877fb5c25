"""Audit log entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from tessera_core.models.base import ResponseModel


class AuditEvent(ResponseModel):
    """One append-only record of a state change."""

    id: int
    at: datetime
    action: str
    entity_type: str
    entity_id: str | None = None
    fqn: str | None = None
    actor_team: str | None = None
    key_id: uuid.UUID | None = None
    user_agent: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
