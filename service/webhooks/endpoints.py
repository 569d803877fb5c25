"""``/api/v1/webhooks``: subscriptions (secret shown once) and their deliveries (dead letters included)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service.context import Ctx
from service.deps import Reader, ReadSessionDep, SessionDep, SettingsDep, Writer
from service.webhooks import service
from tessera_core.models import (
    DeliveryStatus,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookUpdate,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


@router.post("", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED)
def create_webhook(
    body: WebhookCreate, session: SessionDep, caller: Writer, settings: SettingsDep
) -> WebhookCreated:
    """Subscribe a team to events. The signing secret is in this answer only."""
    return service.create(Ctx(session, caller, settings), body)


@router.get("", response_model=list[Webhook])
def list_webhooks(
    session: ReadSessionDep,
    caller: Reader,
    settings: SettingsDep,
    team: str | None = Query(default=None, description="default: the caller's team (admin: every team)"),
) -> list[Webhook]:
    """Subscriptions of the caller's team (an admin sees all)."""
    return service.listing(Ctx(session, caller, settings), team)


@router.get("/{webhook_id}", response_model=Webhook)
def get_webhook(
    webhook_id: uuid.UUID, session: ReadSessionDep, caller: Reader, settings: SettingsDep
) -> Webhook:
    """One subscription (of the caller's team, or any for an admin)."""
    ctx = Ctx(session, caller, settings)
    subscription = service.visible(ctx, webhook_id)
    return service.webhook_out(subscription, ctx.team_name(subscription.team_id))


@router.patch("/{webhook_id}", response_model=Webhook)
def update_webhook(
    webhook_id: uuid.UUID, body: WebhookUpdate, session: SessionDep, caller: Writer, settings: SettingsDep
) -> Webhook:
    """Change the URL, event types, description or the active flag."""
    return service.update(Ctx(session, caller, settings), webhook_id, body)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_webhook(
    webhook_id: uuid.UUID, session: SessionDep, caller: Writer, settings: SettingsDep
) -> Response:
    """Remove a subscription and its deliveries."""
    service.delete(Ctx(session, caller, settings), webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{webhook_id}/deliveries", response_model=list[WebhookDelivery])
def list_deliveries(
    webhook_id: uuid.UUID,
    session: ReadSessionDep,
    caller: Reader,
    settings: SettingsDep,
    state: Annotated[
        DeliveryStatus | None, Query(alias="status", description="pending, delivered or failed")
    ] = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[WebhookDelivery]:
    """Deliveries of a subscription, newest first; ``status=failed`` lists the dead letters."""
    return service.deliveries(Ctx(session, caller, settings), webhook_id, state, limit)


@router.post("/{webhook_id}/deliveries/{delivery_id}/retry", response_model=WebhookDelivery)
def retry_delivery(
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    session: SessionDep,
    caller: Writer,
    settings: SettingsDep,
) -> WebhookDelivery:
    """Send a failed delivery again (a fresh set of attempts, starting now)."""
    return service.retry(Ctx(session, caller, settings), webhook_id, delivery_id)
