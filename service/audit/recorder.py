"""Write an audit event and an outbox event for a state change, in the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from service.auth import Principal
from service.models import Asset, AuditEvent, OutboxEvent


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
    session.add(
        AuditEvent(
            actor_team_id=actor.team_id if actor else None,
            actor_team=actor.team_name if actor else None,
            key_id=actor.key_id if actor else None,
            user_agent=(actor.user_agent or "")[:500] if actor else "tessera-service",
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id) if entity_id is not None else None,
            asset_id=asset.id if asset else None,
            fqn=asset.fqn if asset else None,
            payload=body,
        )
    )
    if emit:
        session.add(
            OutboxEvent(
                event_type=action,
                fqn=asset.fqn if asset else None,
                payload={"entity_id": str(entity_id), **body},
            )
        )
