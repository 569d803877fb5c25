"""Managing subscriptions: a team manages its own, an admin manages all; every change is audited.

The secret is generated here, returned once by :func:`create`, and never audited or logged. A subscription
of another team is answered as "not found" (its existence is not revealed), except to an admin.
"""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import urlsplit, urlunsplit

from service.audit.recorder import record
from service.context import Ctx
from service.errors import Conflict, Forbidden, NotFound
from service.models import WebhookDelivery, WebhookSubscription
from service.webhooks.repository import WebhookRepository
from tessera_core.models import (
    DeliveryStatus,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookUpdate,
)
from tessera_core.models import WebhookDelivery as DeliveryOut

SECRET_PREFIX = "whsec_"
SHOWN_PREFIX = len(SECRET_PREFIX) + 6


def generate_secret() -> str:
    """A new signing secret (256 random bits)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def redacted(url: str) -> str:
    """``url`` without a password, for the audit log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def webhook_out(subscription: WebhookSubscription, team: str) -> Webhook:
    """Wire form of a subscription (never the secret)."""
    return Webhook(
        id=subscription.id,
        team=team,
        url=subscription.url,
        event_types=list(subscription.event_types),
        active=subscription.active,
        all_teams=subscription.all_teams,
        description=subscription.description,
        secret_prefix=subscription.secret[:SHOWN_PREFIX],
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
    )


def delivery_out(delivery: WebhookDelivery, fqn: str | None) -> DeliveryOut:
    """Wire form of a delivery."""
    return DeliveryOut(
        id=delivery.id,
        webhook_id=delivery.subscription_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        fqn=fqn,
        status=DeliveryStatus(delivery.status),
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_attempt_at=delivery.last_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
    )


def _audit(ctx: Ctx, action: str, subscription: WebhookSubscription, **payload: object) -> None:
    record(ctx.session, ctx.actor, action, "webhook", subscription.id, payload=dict(payload), emit=False)


def create(ctx: Ctx, body: WebhookCreate) -> WebhookCreated:
    """Subscribe a team (default: the caller's; another team needs an admin key)."""
    assert ctx.actor is not None
    team = ctx.team(body.team or ctx.actor.team_name)
    ctx.actor.require_team(team.id, team.name, f"manage the webhooks of team '{team.name}'")
    if body.all_teams and not ctx.actor.is_admin:
        raise Forbidden("all_teams needs an admin key: it receives the events of every team")
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        team_id=team.id,
        url=body.url,
        event_types=body.event_types,
        secret=generate_secret(),
        active=body.active,
        all_teams=body.all_teams,
        description=body.description,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(subscription)
    ctx.session.flush()
    _audit(
        ctx,
        "webhook.created",
        subscription,
        team=team.name,
        url=redacted(body.url),
        event_types=body.event_types,
        active=body.active,
        all_teams=body.all_teams,
    )
    return WebhookCreated(**webhook_out(subscription, team.name).model_dump(), secret=subscription.secret)


def visible(ctx: Ctx, webhook_id: uuid.UUID) -> WebhookSubscription:
    """A subscription the caller may see: its team's own, or any for an admin (404 otherwise)."""
    assert ctx.actor is not None
    subscription = WebhookRepository(ctx.session).get(webhook_id)
    if subscription is None or not (ctx.actor.is_admin or subscription.team_id == ctx.actor.team_id):
        raise NotFound(
            f"webhook {webhook_id} does not exist (or belongs to another team)", webhook_id=str(webhook_id)
        )
    return subscription


def listing(ctx: Ctx, team: str | None) -> list[Webhook]:
    """The caller team's subscriptions; an admin sees every team's (or ``team``'s)."""
    assert ctx.actor is not None
    team_id: uuid.UUID | None = None
    if team is not None:
        found = ctx.team(team)
        ctx.actor.require_team(found.id, found.name, f"see the webhooks of team '{found.name}'")
        team_id = found.id
    elif not ctx.actor.is_admin:
        team_id = ctx.actor.team_id
    return [webhook_out(s, name) for s, name in WebhookRepository(ctx.session).listing(team_id)]


def update(ctx: Ctx, webhook_id: uuid.UUID, body: WebhookUpdate) -> Webhook:
    """Change the URL, event types, description or active flag."""
    subscription = visible(ctx, webhook_id)
    changed: dict[str, object] = {}
    for name in ("url", "event_types", "active", "description"):
        value = getattr(body, name)
        if value is not None and value != getattr(subscription, name):
            setattr(subscription, name, value)
            changed[name] = redacted(value) if name == "url" else value
    if changed:
        subscription.updated_at = ctx.now
        _audit(ctx, "webhook.updated", subscription, **changed)
    return webhook_out(subscription, ctx.team_name(subscription.team_id))


def delete(ctx: Ctx, webhook_id: uuid.UUID) -> None:
    """Remove a subscription and its deliveries."""
    subscription = visible(ctx, webhook_id)
    _audit(
        ctx,
        "webhook.deleted",
        subscription,
        team=ctx.team_name(subscription.team_id),
        url=redacted(subscription.url),
    )
    ctx.session.delete(subscription)


def deliveries(
    ctx: Ctx, webhook_id: uuid.UUID, status: DeliveryStatus | None, limit: int
) -> list[DeliveryOut]:
    """Deliveries of a subscription, newest first (``status=failed``: the dead letters)."""
    visible(ctx, webhook_id)
    rows = WebhookRepository(ctx.session).deliveries(webhook_id, str(status) if status else None, limit)
    return [delivery_out(d, fqn) for d, fqn in rows]


def retry(ctx: Ctx, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> DeliveryOut:
    """Send a failed delivery again, with a fresh set of attempts (now)."""
    visible(ctx, webhook_id)
    repo = WebhookRepository(ctx.session)
    delivery = repo.delivery(webhook_id, delivery_id)
    if delivery is None:
        raise NotFound(f"webhook {webhook_id} has no delivery {delivery_id}", delivery_id=str(delivery_id))
    if delivery.status != DeliveryStatus.FAILED.value:
        raise Conflict(
            f"delivery {delivery_id} is {delivery.status}; only failed deliveries can be retried",
            code="invalid_transition",
            status=delivery.status,
        )
    delivery.status = DeliveryStatus.PENDING.value
    delivery.attempts = 0
    delivery.next_attempt_at = ctx.now
    ctx.session.flush()
    record(
        ctx.session,
        ctx.actor,
        "webhook.delivery_retried",
        "webhook",
        webhook_id,
        payload={"delivery_id": str(delivery_id), "event_id": delivery.event_id},
        emit=False,
    )
    return delivery_out(delivery, repo.event_fqn(delivery.event_id))
