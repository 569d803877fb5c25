"""``POST /api/v1/impact``."""

from __future__ import annotations

from fastapi import APIRouter

from service.context import Ctx
from service.deps import Reader, ReadSessionDep, SettingsDep
from service.impact.service import impact
from tessera_core.models import ImpactRequest, ImpactResult

router = APIRouter(prefix="/api/v1", tags=["impact"])


@router.post("/impact", response_model=ImpactResult)
def post_impact(
    body: ImpactRequest, session: ReadSessionDep, caller: Reader, settings: SettingsDep
) -> ImpactResult:
    """Direct consumers (column-aware) and transitive downstream assets and teams of a proposed schema."""
    return impact(Ctx(session, caller, settings), body)
