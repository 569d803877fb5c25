"""SQLAlchemy 2 models, one module per aggregate; generic types so SQLite and PostgreSQL both work."""

from __future__ import annotations

from service.models.asset import Asset as Asset
from service.models.asset import Contract as Contract
from service.models.asset import LineageEdge as LineageEdge
from service.models.base import Base as Base
from service.models.events import AuditEvent as AuditEvent
from service.models.events import IdempotencyRecord as IdempotencyRecord
from service.models.events import OutboxEvent as OutboxEvent
from service.models.proposal import Acknowledgment as Acknowledgment
from service.models.proposal import Proposal as Proposal
from service.models.registration import Registration as Registration
from service.models.team import ApiKey as ApiKey
from service.models.team import Team as Team
from service.models.webhook import WebhookDelivery as WebhookDelivery
from service.models.webhook import WebhookSubscription as WebhookSubscription

__all__ = [
    "Acknowledgment",
    "ApiKey",
    "Asset",
    "AuditEvent",
    "Base",
    "Contract",
    "IdempotencyRecord",
    "LineageEdge",
    "OutboxEvent",
    "Proposal",
    "Registration",
    "Team",
    "WebhookDelivery",
    "WebhookSubscription",
]
