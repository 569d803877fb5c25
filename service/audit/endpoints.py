"""``GET /api/v1/audit``."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy import select

from service.deps import Reader, ReadSessionDep
from service.models import AuditEvent as AuditRow
from tessera_core.models import AuditEvent

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", response_model=list[AuditEvent])
def list_audit(
    session: ReadSessionDep,
    caller: Reader,
    asset: str | None = Query(default=None, description="only events of this asset FQN"),
    limit: int = Query(default=100, ge=1, le=10_000),
) -> list[AuditEvent]:
    """Audit events, newest first."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if asset is not None:
        query = query.where(AuditRow.fqn == asset)
    return [
        AuditEvent(
            id=row.id,
            at=row.at,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            fqn=row.fqn,
            actor_team=row.actor_team,
            key_id=row.key_id,
            user_agent=row.user_agent,
            payload=row.payload,
        )
        for row in session.scalars(query)
    ]
