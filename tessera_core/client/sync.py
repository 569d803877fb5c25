"""The synchronous Tessera client (httpx.Client)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx

from tessera_core.client._base import (
    DEFAULT_TIMEOUT,
    BaseTesseraClient,
    Call,
    PublishItemLike,
    RegistrationLike,
    build_publish_item,
    make,
)
from tessera_core.models import (
    ApiKey,
    Asset,
    AssetGate,
    AssetSet,
    AuditEvent,
    BulkPublishResult,
    Contract,
    Decision,
    DeliveryStatus,
    Health,
    ImpactResult,
    KeyCreated,
    Proposal,
    ProposalGate,
    ProposalStatus,
    PublishResult,
    Registration,
    RegistrationIn,
    RegistrationSource,
    Scope,
    Team,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookUpdate,
)
from tessera_core.types import Mode, SchemaFormat

T = TypeVar("T")


class TesseraClient(BaseTesseraClient):
    """Synchronous client of the Tessera HTTP API.

    ``transport`` is injectable (e.g. ``httpx.MockTransport(handler)``). Errors raise the
    :class:`tessera_core.TesseraError` tree; connection failures raise ``ServiceUnavailableError`` naming the URL.
    Use as a context manager or call ``close()``.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        user_agent: str | None = None,
    ) -> None:
        super().__init__(base_url, api_key, timeout=timeout, user_agent=user_agent)
        self._http = httpx.Client(
            base_url=self.base_url, headers=self._default_headers(), timeout=timeout, transport=transport
        )

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._http.close()

    def __enter__(self) -> TesseraClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _send(self, call: Call[T]) -> T:
        try:
            response = self._http.request(
                call.method, call.path, params=call.params, json=call.json, headers=call.headers
            )
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            raise self._unreachable(exc, call) from exc
        return self._answer(call, response)

    def health(self) -> Health:
        """Readiness of the service (database reachable and migrated)."""
        return self._send(self._health_call())

    def create_team(self, name: str) -> Team:
        """Create a team (admin)."""
        return self._send(self._create_team_call(name))

    def list_teams(self) -> list[Team]:
        """All teams."""
        return self._send(self._list_teams_call())

    def create_key(
        self,
        team: str,
        scopes: Sequence[Scope | str] = (Scope.READ, Scope.WRITE),
        *,
        name: str | None = None,
        expires_at: datetime | None = None,
    ) -> KeyCreated:
        """Create an API key for ``team`` (admin); the token is in the answer, once."""
        return self._send(self._create_key_call(team, scopes, name, expires_at))

    def list_keys(self, team: str | None = None) -> list[ApiKey]:
        """API keys (admin), optionally of one team; never the tokens."""
        return self._send(self._list_keys_call(team))

    def revoke_key(self, key_id: uuid.UUID | str) -> ApiKey:
        """Revoke an API key (admin); it stops working at once."""
        return self._send(self._revoke_key_call(key_id))

    def get_asset(self, fqn: str) -> Asset:
        """One asset by fully qualified name."""
        return self._send(self._get_asset_call(fqn))

    def list_assets(
        self,
        *,
        owner: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[Asset]:
        """Assets, optionally of one owner team."""
        return self._send(self._list_assets_call(owner, limit, offset))

    def set_asset(
        self,
        fqn: str,
        *,
        owner: str | None = None,
        mode: Mode | str | None = None,
        kind: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        proposal_ttl_seconds: int | None = None,
    ) -> Asset:
        """Create an asset or change its policy (owner team or admin; audited)."""
        return self._send(
            self._set_asset_call(
                fqn,
                make(
                    AssetSet,
                    owner_team=owner,
                    mode=mode,
                    kind=kind,
                    description=description,
                    metadata=dict(metadata) if metadata is not None else None,
                    tags=list(tags) if tags is not None else None,
                    proposal_ttl_seconds=proposal_ttl_seconds,
                ),
            )
        )

    def list_contracts(self, fqn: str) -> list[Contract]:
        """Every published version of an asset, newest first."""
        return self._send(self._list_contracts_call(fqn))

    def publish(
        self,
        fqn: str,
        schema: Mapping[str, Any],
        *,
        format: SchemaFormat | str = SchemaFormat.JSONSCHEMA,
        owner_team: str | None = None,
        mode: Mode | str | None = None,
        kind: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        guarantees: Mapping[str, Any] | None = None,
        depends_on: Sequence[str] | None = None,
        idempotency_key: str | None = None,
    ) -> PublishResult:
        """Publish a contract: ``unchanged``, ``published`` or ``proposed`` (breaking; consumers must acknowledge)."""
        return self._send(
            self._publish_call(
                build_publish_item(
                    fqn,
                    schema,
                    format=format,
                    owner_team=owner_team,
                    mode=mode,
                    kind=kind,
                    description=description,
                    metadata=metadata,
                    tags=tags,
                    guarantees=guarantees,
                    depends_on=depends_on,
                ),
                dry_run=False,
                idempotency_key=idempotency_key,
            )
        )

    def check(
        self,
        fqn: str,
        schema: Mapping[str, Any],
        *,
        format: SchemaFormat | str = SchemaFormat.JSONSCHEMA,
        owner_team: str | None = None,
    ) -> PublishResult:
        """Dry run of :meth:`publish`: what would happen and who would have to acknowledge; writes nothing."""
        return self._send(
            self._publish_call(
                build_publish_item(fqn, schema, format=format, owner_team=owner_team),
                dry_run=True,
                idempotency_key=None,
            )
        )

    def bulk_publish(
        self,
        items: Sequence[PublishItemLike],
        dry_run: bool = False,
        *,
        idempotency_key: str | None = None,
    ) -> BulkPublishResult:
        """Publish many contracts in one request and one transaction; per-item outcomes (``dry_run`` = check)."""
        return self._send(self._bulk_publish_call(items, dry_run, idempotency_key))

    def register(
        self,
        fqn: str,
        *,
        team: str | None = None,
        consumer_ref: str = "default",
        source: RegistrationSource | str = RegistrationSource.API,
        columns: Sequence[str] | None = None,
        pinned_major: int | None = None,
    ) -> Registration:
        """Register (idempotently) that ``team`` (default: the caller's) consumes ``fqn``."""
        return self._send(
            self._register_call(
                make(
                    RegistrationIn,
                    fqn=fqn,
                    team=team,
                    consumer_ref=consumer_ref,
                    source=source,
                    columns=list(columns) if columns is not None else None,
                    pinned_major=pinned_major,
                )
            )
        )

    def bulk_register(self, items: Sequence[RegistrationLike]) -> list[Registration]:
        """Register many consumers in one transaction (idempotent)."""
        return self._send(self._bulk_register_call(items))

    def unregister(
        self,
        fqn: str,
        *,
        team: str | None = None,
        consumer_ref: str = "default",
    ) -> None:
        """Remove a registration; open proposals stop waiting for it."""
        return self._send(self._unregister_call(fqn, team, consumer_ref))

    def list_registrations(
        self,
        *,
        asset: str | None = None,
        team: str | None = None,
    ) -> list[Registration]:
        """Registrations, filtered by asset FQN and/or consumer team."""
        return self._send(self._list_registrations_call(asset, team))

    def gate(self, fqn: str, etag: str | None = None) -> AssetGate:
        """Gate of an asset; pass the last ``etag`` to make it a conditional (304) read."""
        return self._send(self._gate_call(fqn, etag))

    def proposal_gate(self, proposal_id: uuid.UUID | str, etag: str | None = None) -> ProposalGate:
        """Gate of one proposal (status, who it waits for); conditional with ``etag``."""
        return self._send(self._proposal_gate_call(proposal_id, etag))

    def list_proposals(
        self,
        *,
        awaiting: str | None = None,
        asset: str | None = None,
        status: ProposalStatus | str | None = None,
    ) -> list[Proposal]:
        """Proposals; ``awaiting=TEAM`` is that team's inbox."""
        return self._send(
            self._list_proposals_call(awaiting, asset, str(status) if status is not None else None)
        )

    def get_proposal(self, proposal_id: uuid.UUID | str) -> Proposal:
        """One proposal with its consumers and acknowledgments."""
        return self._send(self._get_proposal_call(proposal_id))

    def acknowledge(
        self,
        proposal_id: uuid.UUID | str,
        decision: Decision | str,
        note: str | None = None,
        migration_deadline: datetime | None = None,
    ) -> Proposal:
        """Answer a proposal for the caller's team; the last consent publishes it."""
        return self._send(self._acknowledge_call(proposal_id, decision, note, migration_deadline))

    def withdraw(self, proposal_id: uuid.UUID | str) -> Proposal:
        """Withdraw a live proposal (its producer or an admin)."""
        return self._send(self._withdraw_call(proposal_id))

    def force(self, proposal_id: uuid.UUID | str, reason: str) -> Proposal:
        """Publish a live proposal without the missing acknowledgments (admin; audited)."""
        return self._send(self._force_call(proposal_id, reason))

    def impact(
        self,
        fqn: str,
        schema: Mapping[str, Any],
        format: SchemaFormat | str = SchemaFormat.JSONSCHEMA,
    ) -> ImpactResult:
        """Direct consumers and transitive downstream assets/teams a new schema would affect."""
        return self._send(self._impact_call(fqn, schema, format))

    def audit(self, asset: str | None = None, *, limit: int = 100) -> list[AuditEvent]:
        """Audit log, newest first, optionally of one asset."""
        return self._send(self._audit_call(asset, limit))

    def create_webhook(
        self,
        url: str,
        *,
        event_types: Sequence[str] = ("*",),
        team: str | None = None,
        active: bool = True,
        all_teams: bool = False,
        description: str | None = None,
    ) -> WebhookCreated:
        """Subscribe ``team`` (default: the caller's) to events; the answer carries the signing secret, once."""
        body = make(
            WebhookCreate,
            url=url,
            event_types=list(event_types),
            team=team,
            active=active,
            all_teams=all_teams,
            description=description,
        )
        return self._send(self._create_webhook_call(body))

    def list_webhooks(self, *, team: str | None = None) -> list[Webhook]:
        """Webhook subscriptions of the caller's team (an admin: all, or ``team``'s)."""
        return self._send(self._list_webhooks_call(team))

    def get_webhook(self, webhook_id: uuid.UUID | str) -> Webhook:
        """One webhook subscription (never its secret)."""
        return self._send(self._get_webhook_call(webhook_id))

    def update_webhook(
        self,
        webhook_id: uuid.UUID | str,
        *,
        url: str | None = None,
        event_types: Sequence[str] | None = None,
        active: bool | None = None,
        description: str | None = None,
    ) -> Webhook:
        """Change a subscription's URL, event types, description or active flag."""
        body = make(
            WebhookUpdate,
            url=url,
            event_types=list(event_types) if event_types is not None else None,
            active=active,
            description=description,
        )
        return self._send(self._update_webhook_call(webhook_id, body))

    def delete_webhook(self, webhook_id: uuid.UUID | str) -> None:
        """Remove a subscription and its deliveries."""
        return self._send(self._delete_webhook_call(webhook_id))

    def list_deliveries(
        self,
        webhook_id: uuid.UUID | str,
        *,
        status: DeliveryStatus | str | None = None,
        limit: int = 100,
    ) -> list[WebhookDelivery]:
        """Deliveries of a subscription, newest first; ``status="failed"`` lists the dead letters."""
        return self._send(
            self._list_deliveries_call(webhook_id, str(status) if status is not None else None, limit)
        )

    def retry_delivery(self, webhook_id: uuid.UUID | str, delivery_id: uuid.UUID | str) -> WebhookDelivery:
        """Send a failed delivery again (a fresh set of attempts)."""
        return self._send(self._retry_delivery_call(webhook_id, delivery_id))
