"""``POST /api/v1/publish``, ``/api/v1/publish/bulk`` and ``/api/v1/check``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from service.context import Ctx
from service.deps import SessionDep, SettingsDep, Writer
from service.publishing import service
from service.publishing.idempotency import idempotent
from tessera_core.models import BulkPublishRequest, BulkPublishResult, PublishItem, PublishResult

router = APIRouter(prefix="/api/v1", tags=["publishing"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", description="retry-safe key: a repeated request replays the first answer"
    ),
]


@router.post("/publish", response_model=PublishResult)
def publish(
    body: PublishItem,
    session: SessionDep,
    caller: Writer,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Publish a contract: ``unchanged``, ``published``, ``proposed`` or (admin with ``force_reason``) ``forced``."""
    ctx = Ctx(session, caller, settings)
    return JSONResponse(idempotent(ctx, idempotency_key, body, lambda: service.publish_one(ctx, body)))


@router.post("/check", response_model=PublishResult)
def check(body: PublishItem, session: SessionDep, caller: Writer, settings: SettingsDep) -> PublishResult:
    """Dry run of a publish: what would happen and who would have to acknowledge. Writes nothing."""
    return service.publish_one(Ctx(session, caller, settings), body, dry_run=True)


@router.post("/publish/bulk", response_model=BulkPublishResult)
def publish_bulk(
    body: BulkPublishRequest,
    session: SessionDep,
    caller: Writer,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Publish many contracts in one transaction (e.g. a whole dbt project); per-item outcomes.

    With ``dry_run: true`` this is the check for all of them; nothing is written.
    """
    ctx = Ctx(session, caller, settings)
    if body.dry_run:
        return JSONResponse(service.publish_bulk(ctx, body).model_dump(mode="json", by_alias=True))
    return JSONResponse(idempotent(ctx, idempotency_key, body, lambda: service.publish_bulk(ctx, body)))
