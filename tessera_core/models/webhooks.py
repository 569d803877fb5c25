"""Webhook subscriptions, their deliveries, and the signing scheme receivers verify.

A delivery is an HTTP ``POST`` of a JSON :class:`WebhookEvent` with these headers:

``Tessera-Event``
    the event type, e.g. ``proposal.opened``
``Tessera-Delivery``
    the delivery id: one per (event, subscription), the same on every retry (deduplicate on it)
``Tessera-Timestamp``
    Unix seconds when this attempt was signed
``Tessera-Signature``
    ``v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the subscription secret>``

Receivers check the signature over the raw body bytes and reject old timestamps (replays):
:func:`verify_signature` does both.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from tessera_core.models.base import RequestModel, ResponseModel

EVENT_HEADER = "Tessera-Event"
DELIVERY_HEADER = "Tessera-Delivery"
TIMESTAMP_HEADER = "Tessera-Timestamp"
SIGNATURE_HEADER = "Tessera-Signature"
ATTEMPT_HEADER = "Tessera-Attempt"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300

WEBHOOK_EVENT_TYPES: tuple[str, ...] = (
    "team.created",
    "key.created",
    "key.revoked",
    "asset.created",
    "asset.claimed",
    "asset.mode_changed",
    "asset.owner_changed",
    "contract.published",
    "contract.forced",
    "registration.created",
    "registration.updated",
    "registration.deleted",
    "proposal.opened",
    "proposal.acknowledged",
    "proposal.rebased",
    "proposal.blocked",
    "proposal.unblocked",
    "proposal.published",
    "proposal.superseded",
    "proposal.withdrawn",
    "proposal.expired",
    "proposal.forced",
)
"""Every event type the service emits (a subscription may also name ``*`` or a group such as ``proposal.*``)."""

EVENT_GROUPS: frozenset[str] = frozenset(t.split(".", 1)[0] for t in WEBHOOK_EVENT_TYPES)


def event_type_matches(pattern: str, event_type: str) -> bool:
    """Whether a subscription's ``pattern`` (``*``, ``group.*`` or an exact type) selects ``event_type``."""
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def signature_for(secret: str, timestamp: str | int, body: bytes) -> str:
    """The ``Tessera-Signature`` value of ``body`` signed at ``timestamp`` with ``secret``."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify_signature(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether ``signature`` (the ``Tessera-Signature`` header) signs ``body`` at ``timestamp``, and the
    timestamp is within ``tolerance_seconds`` of ``now`` (replay protection). Constant-time comparison.

    ``signature`` may list several comma-separated ``v1=`` values (accepted if any matches).
    """
    try:
        signed_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - signed_at) > tolerance_seconds:
        return False
    expected = signature_for(secret, signed_at, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in signature.split(","))


class DeliveryStatus(StrEnum):
    """Where a delivery is: ``pending`` (due or retrying), ``delivered`` (2xx), ``failed`` (gave up)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def _check_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        shown = f"'{parts.scheme}'" if parts.scheme else "none"
        raise ValueError(f"the webhook URL must start with http:// or https:// (scheme: {shown})")
    if not parts.hostname:
        raise ValueError("the webhook URL has no host; use e.g. https://hooks.example.com/tessera")
    try:
        parts.port  # noqa: B018 - parsing it validates it
    except ValueError as exc:
        raise ValueError(f"the webhook URL has an invalid port: {exc}") from None
    if any(c.isspace() or ord(c) < 32 for c in value):
        raise ValueError("the webhook URL contains whitespace or control characters; percent-encode them")
    return value


def _check_event_types(value: Sequence[str]) -> list[str]:
    if not value:
        raise ValueError("name at least one event type, or '*' for all of them")
    unknown = [
        t
        for t in value
        if t != "*" and t not in WEBHOOK_EVENT_TYPES and not (t.endswith(".*") and t[:-2] in EVENT_GROUPS)
    ]
    if unknown:
        raise ValueError(
            f"unknown event type(s): {', '.join(unknown)}; use '*', a group ("
            + ", ".join(f"{g}.*" for g in sorted(EVENT_GROUPS))
            + ") or one of: "
            + ", ".join(WEBHOOK_EVENT_TYPES)
        )
    return sorted(set(value))


class WebhookCreate(RequestModel):
    """Subscribe ``url`` to events that concern ``team``. The secret is generated by the service."""

    url: str = Field(max_length=2000, description="http:// or https:// URL that receives the POSTs")
    event_types: list[str] = Field(
        default_factory=lambda: ["*"],
        description="event types, groups ('proposal.*') or '*' (default: all)",
    )
    team: str | None = Field(default=None, description="subscribing team; default: the caller's")
    active: bool = True
    all_teams: bool = Field(
        default=False, description="admin only: receive every event, whichever team it concerns"
    )
    description: str | None = Field(default=None, max_length=500)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _check_url(value)

    @field_validator("event_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        return _check_event_types(value)


class WebhookUpdate(RequestModel):
    """Change a subscription; only the given fields change (the secret never does)."""

    url: str | None = Field(default=None, max_length=2000)
    event_types: list[str] | None = None
    active: bool | None = None
    description: str | None = Field(default=None, max_length=500)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_url(value)

    @field_validator("event_types")
    @classmethod
    def _types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_event_types(value)


class Webhook(ResponseModel):
    """A webhook subscription as listed (never its secret)."""

    id: uuid.UUID
    team: str
    url: str
    event_types: list[str]
    active: bool
    all_teams: bool = False
    description: str | None = None
    secret_prefix: str = Field(description="first characters of the secret, to recognise it")
    created_at: datetime
    updated_at: datetime


class WebhookCreated(Webhook):
    """A new subscription with its signing secret (shown once, never again)."""

    secret: str


class WebhookDelivery(ResponseModel):
    """One event sent (or to be sent) to one subscription; ``failed`` ones are the dead letters."""

    id: uuid.UUID
    webhook_id: uuid.UUID
    event_id: int
    event_type: str
    fqn: str | None = None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    created_at: datetime


class WebhookEvent(ResponseModel):
    """The JSON body of a delivery: the event as committed (``data`` is its audit payload)."""

    event_id: int = Field(description="increasing id of the event (order events by it)")
    type: str
    created_at: datetime
    fqn: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
