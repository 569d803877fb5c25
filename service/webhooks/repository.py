"""Queries on webhook subscriptions and deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import OutboxEvent, Team, WebhookDelivery, WebhookSubscription


class WebhookRepository:
    """Data access for webhooks."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, webhook_id: uuid.UUID) -> WebhookSubscription | None:
        """One subscription."""
        return self.session.get(WebhookSubscription, webhook_id)

    def listing(self, team_id: uuid.UUID | None) -> Sequence[tuple[WebhookSubscription, str]]:
        """(subscription, team name), oldest first, optionally of one team."""
        query = (
            select(WebhookSubscription, Team.name)
            .join(Team, Team.id == WebhookSubscription.team_id)
            .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
        )
        if team_id is not None:
            query = query.where(WebhookSubscription.team_id == team_id)
        return [(s, name) for s, name in self.session.execute(query)]

    def delivery(self, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery | None:
        """One delivery of a subscription."""
        delivery = self.session.get(WebhookDelivery, delivery_id)
        return delivery if delivery is not None and delivery.subscription_id == webhook_id else None

    def deliveries(
        self, webhook_id: uuid.UUID, status: str | None, limit: int
    ) -> Sequence[tuple[WebhookDelivery, str | None]]:
        """(delivery, event fqn), newest first."""
        query = (
            select(WebhookDelivery, OutboxEvent.fqn)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.subscription_id == webhook_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.event_id.desc())
            .limit(limit)
        )
        if status is not None:
            query = query.where(WebhookDelivery.status == status)
        return [(d, fqn) for d, fqn in self.session.execute(query)]

    def event_fqn(self, event_id: int) -> str | None:
        """The FQN of an outbox event."""
        return self.session.scalar(select(OutboxEvent.fqn).where(OutboxEvent.id == event_id))
