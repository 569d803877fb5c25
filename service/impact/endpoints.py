"""``POST /api/v1/impact``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.context import Ctx
from service.deps import Reader, ReadSessionDep, SettingsDep
from service.impact.service import impact
from tessera_core.models import ImpactRequest, ImpactResult

router = APIRouter(prefix="/api/v1", tags=["impact"])


@router.post("/impact", response_model=ImpactResult)
def post_impact(
    body: ImpactRequest, session: ReadSessionDep, caller: Reader, settings: SettingsDep
) -> JSONResponse:
    """Direct consumers (column-aware) and transitive downstream assets and teams of a proposed schema."""
    # serialized here, once: the answer can list tens of thousands of downstream assets
    return JSONResponse(impact(Ctx(session, caller, settings), body).model_dump(mode="json", by_alias=True))
