"""Consumer registrations: a team depends on an asset (never on one contract version)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from tessera_core.models.base import RequestModel, ResponseModel
from tessera_core.models.enums import RegistrationSource


class RegistrationIn(RequestModel):
    """Register (idempotently) that ``team`` consumes ``fqn`` through ``consumer_ref``.

    Re-registering the same (asset, team, consumer_ref) updates columns/pinned major and ``last_seen``.
    ``columns`` limits which changes concern this consumer; ``pinned_major`` makes it care only while that
    major version is active.
    """

    fqn: str = Field(min_length=1, max_length=500)
    team: str | None = Field(default=None, description="consumer team; defaults to the caller's team")
    consumer_ref: str = Field(default="default", min_length=1, max_length=500)
    source: RegistrationSource = RegistrationSource.API
    columns: list[str] | None = Field(default=None, description="top-level columns read; None = all")
    pinned_major: int | None = Field(default=None, ge=0, le=1_000_000)


class Registration(ResponseModel):
    """A stored registration."""

    id: uuid.UUID
    fqn: str
    team: str
    consumer_ref: str
    source: RegistrationSource
    columns: list[str] | None = None
    pinned_major: int | None = None
    first_seen: datetime
    last_seen: datetime


class BulkRegisterRequest(RequestModel):
    """Many registrations in one transaction (integrations re-register on every run)."""

    items: list[RegistrationIn] = Field(min_length=1)
