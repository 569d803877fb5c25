"""Write an audit event and an outbox event for a state change, in the caller's transaction.

By default each event is added to the session as an ORM object. Inside :func:`batched` (bulk operations),
events are collected as plain rows and written with one multi-row INSERT per table when the batch ends, which
is what makes a 2,000-item bulk publish cheap; rows of a batch that fails are never written.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from service.auth import Principal
from service.models import Asset, AuditEvent, Contract, OutboxEvent, Proposal
from service.models.base import utcnow

_BATCH_KEY = "tessera.audit_batch"


@dataclass
class _Batch:
    """Rows recorded inside :func:`batched`, not yet written."""

    audit: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        """INSERT the collected rows (stamped now, as the ORM default would) and forget them."""
        now = utcnow()
        if self.audit:
            session.execute(insert(AuditEvent), [{**row, "at": now} for row in self.audit])
        if self.outbox:
            session.execute(
                insert(OutboxEvent),
                [{**row, "created_at": now, "delivered_at": None, "attempts": 0} for row in self.outbox],
            )
        self.audit.clear()
        self.outbox.clear()


_PARENTS_FIRST: tuple[type[Any], ...] = (Asset, Contract, Proposal)


def _stage(obj: object) -> int:
    return next(
        (i for i, parent in enumerate(_PARENTS_FIRST) if isinstance(obj, parent)), len(_PARENTS_FIRST)
    )


def flush_parents_first(session: Session) -> None:
    """Flush the session's new assets, then new contracts, then new proposals, then everything else.

    The models declare foreign keys but no ``relationship()``, so one flush of many new rows does not know
    that a lineage edge or a registration must follow its new asset (or an acknowledgment its proposal).
    New assets are inserted in FQN order: concurrent bulk requests meet on the unique index in one order.
    """
    pending = list(session.new)
    if not pending:
        session.flush()
        return
    for obj in pending:
        session.expunge(obj)
    stages: dict[int, list[object]] = {}
    for obj in pending:
        stages.setdefault(_stage(obj), []).append(obj)
    stages.get(0, []).sort(key=lambda asset: asset.fqn)  # type: ignore[attr-defined]
    for stage in sorted(stages):
        session.add_all(stages[stage])
        session.flush()


@contextlib.contextmanager
def batched(session: Session) -> Iterator[None]:
    """Collect the events recorded in the block and write them in bulk when it succeeds.

    Nothing is written when the block raises (the caller rolls back its savepoint anyway). Nesting is
    allowed: the outermost batch writes.
    """
    if _BATCH_KEY in session.info:
        yield
        return
    batch = _Batch()
    session.info[_BATCH_KEY] = batch
    try:
        yield
        flush_parents_first(session)
        batch.write(session)
    finally:
        session.info.pop(_BATCH_KEY, None)


def record(
    session: Session,
    actor: Principal | None,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str | None,
    *,
    asset: Asset | None = None,
    payload: dict[str, Any] | None = None,
    emit: bool = True,
) -> None:
    """Append an audit event; with ``emit``, also an outbox event (delivered after commit).

    ``actor`` None means the service itself (expiry sweep, bootstrap).
    """
    body = payload or {}
    audit = {
        "actor_team_id": actor.team_id if actor else None,
        "actor_team": actor.team_name if actor else None,
        "key_id": actor.key_id if actor else None,
        "user_agent": (actor.user_agent or "")[:500] if actor else "tessera-service",
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id) if entity_id is not None else None,
        "asset_id": asset.id if asset else None,
        "fqn": asset.fqn if asset else None,
        "payload": body,
    }
    outbox = (
        {
            "event_type": action,
            "fqn": asset.fqn if asset else None,
            "payload": {"entity_id": str(entity_id), **body},
        }
        if emit
        else None
    )
    batch: _Batch | None = session.info.get(_BATCH_KEY)
    if batch is not None:
        batch.audit.append(audit)
        if outbox is not None:
            batch.outbox.append(outbox)
        return
    session.add(AuditEvent(**audit))
    if outbox is not None:
        session.add(OutboxEvent(**outbox))
