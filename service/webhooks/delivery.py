"""Deliveries: claim the due ones, and record what each attempt got (delivered, retry later, or failed).

A claim is a short transaction: due ``pending`` rows are selected with ``FOR UPDATE SKIP LOCKED``
(PostgreSQL; SQLite serializes writers), their attempt counted, and their ``next_attempt_at`` pushed past
the attempt's longest possible duration (a lease). The HTTP request runs after the commit, without any
lock; its outcome is written by a second short transaction. So replicas never send one delivery at the
same time, and a replica that dies mid-attempt only delays that delivery until its lease ends.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import OutboxEvent, WebhookDelivery, WebhookSubscription
from service.models.base import utcnow
from service.settings import Settings
from tessera_core.models import DeliveryStatus

LEASE_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True)
class Job:
    """One attempt to make: where, with which secret, what body (already encoded: the signed bytes)."""

    delivery_id: uuid.UUID
    webhook_id: uuid.UUID
    url: str
    secret: str
    event_type: str
    attempt: int
    body: bytes

    def __repr__(self) -> str:  # never the secret
        return f"Job(delivery={self.delivery_id}, webhook={self.webhook_id}, attempt={self.attempt})"


def encode_event(event: OutboxEvent) -> bytes:
    """The JSON body of a delivery (a :class:`tessera_core.models.WebhookEvent`)."""
    body = {
        "event_id": event.id,
        "type": event.event_type,
        "created_at": event.created_at.isoformat(),
        "fqn": event.fqn,
        "data": event.payload,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def backoff(attempt: int, settings: Settings, rand: Callable[[], float] = random.random) -> timedelta:
    """Delay before retrying after failed ``attempt`` (1-based): exponential, capped, with jitter
    (between half and all of ``base * 2**(attempt-1)``, so failing receivers are not hit in lockstep)."""
    base = settings.webhook_backoff_base.total_seconds()
    ceiling = settings.webhook_backoff_max.total_seconds()
    delay = min(ceiling, base * 2 ** min(attempt - 1, 60))
    return timedelta(seconds=delay * (0.5 + rand() / 2))


def claim_due(session: Session, settings: Settings, limit: int) -> list[Job]:
    """Claim up to ``limit`` due deliveries of active subscriptions in the caller's transaction."""
    now = utcnow()
    rows = session.execute(
        select(WebhookDelivery, WebhookSubscription.url, WebhookSubscription.secret, OutboxEvent)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING.value,
            WebhookDelivery.next_attempt_at <= now,
            WebhookSubscription.active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    ).all()
    lease_end = now + settings.webhook_timeout * 2 + LEASE_MARGIN
    jobs: list[Job] = []
    for delivery, url, secret, event in rows:
        if delivery.attempts >= settings.webhook_max_attempts:
            # the last attempt's sender vanished before recording its outcome (its lease ran out)
            delivery.status = DeliveryStatus.FAILED.value
            delivery.next_attempt_at = None
            note = "no outcome was recorded for the last attempt (its sender stopped)"
            delivery.last_error = f"{delivery.last_error}; {note}"[:500] if delivery.last_error else note
            continue
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = lease_end
        jobs.append(
            Job(
                delivery_id=delivery.id,
                webhook_id=delivery.subscription_id,
                url=url,
                secret=secret,
                event_type=delivery.event_type,
                attempt=delivery.attempts,
                body=encode_event(event),
            )
        )
    return jobs


def record_outcome(
    session: Session, settings: Settings, job: Job, status_code: int | None, error: str | None
) -> DeliveryStatus | None:
    """Write the outcome of ``job``'s attempt; returns the delivery's new status (None when the delivery
    is gone or was claimed again meanwhile, e.g. deleted with its subscription)."""
    delivery = session.get(WebhookDelivery, job.delivery_id, with_for_update=True)
    if (
        delivery is None
        or delivery.status != DeliveryStatus.PENDING.value
        or delivery.attempts != job.attempt
    ):
        return None
    now = utcnow()
    delivery.last_status_code = status_code
    delivery.last_error = error[:500] if error else None
    if error is None:
        delivery.status = DeliveryStatus.DELIVERED.value
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.webhook_max_attempts:
        delivery.status = DeliveryStatus.FAILED.value
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts, settings)
    return DeliveryStatus(delivery.status)


def has_work(session: Session) -> tuple[bool, bool]:
    """(undispatched events exist, due deliveries exist): a cheap read before taking any write lock."""
    now = utcnow()
    undispatched = session.scalar(select(OutboxEvent.id).where(OutboxEvent.delivered_at.is_(None)).limit(1))
    due = session.scalar(
        select(WebhookDelivery.id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING.value,
            WebhookDelivery.next_attempt_at <= now,
            WebhookSubscription.active.is_(True),
        )
        .limit(1)
    )
    return undispatched is not None, due is not None
