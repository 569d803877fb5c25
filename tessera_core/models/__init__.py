"""Pydantic wire models shared by the service and the client.

These are the JSON shapes of the HTTP API (``/api/v1``). Request models forbid unknown fields so a typo is
a 422 that names the field; response models ignore unknown fields so older clients keep working when the
service adds some.
"""

from __future__ import annotations

from tessera_core.models.assets import Asset as Asset
from tessera_core.models.assets import AssetSet as AssetSet
from tessera_core.models.assets import Contract as Contract
from tessera_core.models.audit import AuditEvent as AuditEvent
from tessera_core.models.base import ErrorBody as ErrorBody
from tessera_core.models.base import ErrorInfo as ErrorInfo
from tessera_core.models.base import RequestModel as RequestModel
from tessera_core.models.base import ResponseModel as ResponseModel
from tessera_core.models.enums import ContractStatus as ContractStatus
from tessera_core.models.enums import Decision as Decision
from tessera_core.models.enums import GateState as GateState
from tessera_core.models.enums import ProposalStatus as ProposalStatus
from tessera_core.models.enums import PublishOutcome as PublishOutcome
from tessera_core.models.enums import RegistrationSource as RegistrationSource
from tessera_core.models.enums import Scope as Scope
from tessera_core.models.health import Health as Health
from tessera_core.models.impact import DownstreamAsset as DownstreamAsset
from tessera_core.models.impact import ImpactRequest as ImpactRequest
from tessera_core.models.impact import ImpactResult as ImpactResult
from tessera_core.models.proposals import AcknowledgeRequest as AcknowledgeRequest
from tessera_core.models.proposals import Acknowledgment as Acknowledgment
from tessera_core.models.proposals import AssetGate as AssetGate
from tessera_core.models.proposals import ConsumerAnswer as ConsumerAnswer
from tessera_core.models.proposals import ForceRequest as ForceRequest
from tessera_core.models.proposals import Proposal as Proposal
from tessera_core.models.proposals import ProposalGate as ProposalGate
from tessera_core.models.proposals import ProposalSummary as ProposalSummary
from tessera_core.models.publishing import BulkPublishRequest as BulkPublishRequest
from tessera_core.models.publishing import BulkPublishResult as BulkPublishResult
from tessera_core.models.publishing import ChangeInfo as ChangeInfo
from tessera_core.models.publishing import PublishItem as PublishItem
from tessera_core.models.publishing import PublishResult as PublishResult
from tessera_core.models.registrations import BulkRegisterRequest as BulkRegisterRequest
from tessera_core.models.registrations import Registration as Registration
from tessera_core.models.registrations import RegistrationIn as RegistrationIn
from tessera_core.models.teams import ApiKey as ApiKey
from tessera_core.models.teams import KeyCreate as KeyCreate
from tessera_core.models.teams import KeyCreated as KeyCreated
from tessera_core.models.teams import Team as Team
from tessera_core.models.teams import TeamCreate as TeamCreate
from tessera_core.models.webhooks import WEBHOOK_EVENT_TYPES as WEBHOOK_EVENT_TYPES
from tessera_core.models.webhooks import DeliveryStatus as DeliveryStatus
from tessera_core.models.webhooks import Webhook as Webhook
from tessera_core.models.webhooks import WebhookCreate as WebhookCreate
from tessera_core.models.webhooks import WebhookCreated as WebhookCreated
from tessera_core.models.webhooks import WebhookDelivery as WebhookDelivery
from tessera_core.models.webhooks import WebhookEvent as WebhookEvent
from tessera_core.models.webhooks import WebhookUpdate as WebhookUpdate
from tessera_core.models.webhooks import verify_signature as verify_signature

__all__ = [
    "WEBHOOK_EVENT_TYPES",
    "AcknowledgeRequest",
    "Acknowledgment",
    "ApiKey",
    "Asset",
    "AssetGate",
    "AssetSet",
    "AuditEvent",
    "BulkPublishRequest",
    "BulkPublishResult",
    "BulkRegisterRequest",
    "ChangeInfo",
    "ConsumerAnswer",
    "Contract",
    "ContractStatus",
    "Decision",
    "DeliveryStatus",
    "DownstreamAsset",
    "ErrorBody",
    "ErrorInfo",
    "ForceRequest",
    "GateState",
    "Health",
    "ImpactRequest",
    "ImpactResult",
    "KeyCreate",
    "KeyCreated",
    "Proposal",
    "ProposalGate",
    "ProposalStatus",
    "ProposalSummary",
    "PublishItem",
    "PublishOutcome",
    "PublishResult",
    "Registration",
    "RegistrationIn",
    "RegistrationSource",
    "RequestModel",
    "ResponseModel",
    "Scope",
    "Team",
    "TeamCreate",
    "Webhook",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookUpdate",
    "verify_signature",
]
