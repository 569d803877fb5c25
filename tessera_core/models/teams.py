"""Teams and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, Field

from tessera_core.models.base import RequestModel, ResponseModel
from tessera_core.models.enums import Scope

TEAM_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$"


class TeamCreate(RequestModel):
    """Create a team (admin)."""

    name: str = Field(pattern=TEAM_NAME_PATTERN, description="letters, digits, '_', '.', '-'; max 100")


class Team(ResponseModel):
    """A team: owns assets, registers consumption, acknowledges proposals."""

    id: uuid.UUID
    name: str
    created_at: datetime


class KeyCreate(RequestModel):
    """Create an API key for a team (admin). The token is returned once, never again."""

    team: str = Field(description="name of the team the key acts for")
    scopes: list[Scope] = Field(default_factory=lambda: [Scope.READ, Scope.WRITE], min_length=1)
    name: str | None = Field(default=None, max_length=200, description="a label, e.g. 'dbt CI'")
    expires_at: AwareDatetime | None = Field(default=None, description="timezone-aware expiry, optional")


class ApiKey(ResponseModel):
    """An API key as listed (never includes the token)."""

    id: uuid.UUID
    team: str
    name: str | None = None
    scopes: list[Scope]
    prefix: str = Field(description="first characters of the token, to recognise it")
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class KeyCreated(ApiKey):
    """A new API key, with its token (shown once)."""

    token: str
