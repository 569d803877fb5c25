"""Dispatch: turn committed outbox events into one delivery per matching subscription.

Only committed events are visible here, so an event of a rolled-back transaction is never dispatched.
A round claims undispatched events with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serializes
writers), so replicas share the work and never dispatch one event twice; the unique index on (subscription,
event) backs that up. ``outbox_events.delivered_at`` records when an event was dispatched.

A subscription receives the events created after it, whose type it selects, and that concern its team
(:mod:`service.webhooks.relevance`), or every such event when it is ``all_teams``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from service.models import OutboxEvent, WebhookDelivery, WebhookSubscription
from service.models.base import utcnow
from service.webhooks.relevance import Lookup, concerned_teams
from tessera_core.models import DeliveryStatus
from tessera_core.models.webhooks import event_type_matches

log = logging.getLogger("tessera.webhooks")

BATCH_SIZE = 200
"""Events dispatched per round (and per transaction)."""


def _selects(subscription: WebhookSubscription, event: OutboxEvent) -> bool:
    return subscription.created_at <= event.created_at and any(
        event_type_matches(p, event.event_type) for p in subscription.event_types
    )


def deliveries_for(
    event: OutboxEvent, subscriptions: Sequence[WebhookSubscription], lookup: Lookup, now: datetime
) -> list[dict[str, Any]]:
    """Rows of ``webhook_deliveries`` for one event."""
    candidates = [s for s in subscriptions if _selects(s, event)]
    if not candidates:
        return []
    teams: set[uuid.UUID] = set()
    if any(not s.all_teams for s in candidates):
        try:
            teams = concerned_teams(lookup, event)
        except Exception:  # a bad payload must not hold back every later event
            log.exception("could not tell which teams event %s (%s) concerns", event.id, event.event_type)
    return [
        {
            "id": uuid.uuid4(),
            "subscription_id": s.id,
            "event_id": event.id,
            "event_type": event.event_type,
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for s in candidates
        if s.all_teams or s.team_id in teams
    ]


def dispatch_in(session: Session, *, limit: int = BATCH_SIZE) -> int:
    """Dispatch up to ``limit`` undispatched events in the caller's transaction; returns how many."""
    events = session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.delivered_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not events:
        return 0
    now = utcnow()
    subscriptions = session.scalars(
        select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    ).all()
    if subscriptions:
        lookup = Lookup(session)
        rows = [row for event in events for row in deliveries_for(event, subscriptions, lookup, now)]
        if rows:
            session.execute(insert(WebhookDelivery), rows)
    session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_([e.id for e in events]))
        .values(delivered_at=now)
        .execution_options(synchronize_session=False)
    )
    return len(events)
