"""``/api/v1/registrations``."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status

from service.assets.repository import AssetRepository
from service.context import Ctx
from service.deps import Reader, ReadSessionDep, SessionDep, SettingsDep, Writer
from service.errors import NotFound
from service.registrations import service
from service.registrations.repository import RegistrationRepository
from service.teams.service import require_team
from tessera_core.models import BulkRegisterRequest, Registration, RegistrationIn

router = APIRouter(prefix="/api/v1/registrations", tags=["registrations"])


@router.post("", response_model=Registration)
def register(
    body: RegistrationIn, session: SessionDep, caller: Writer, settings: SettingsDep
) -> Registration:
    """Register (idempotently) that a team consumes an asset. Re-registering updates it."""
    return service.register_many(Ctx(session, caller, settings), [body])[0]


@router.post("/bulk", response_model=list[Registration])
def register_bulk(
    body: BulkRegisterRequest, session: SessionDep, caller: Writer, settings: SettingsDep
) -> list[Registration]:
    """Register many consumers in one transaction (integrations call this on every run)."""
    ctx = Ctx(session, caller, settings)
    service.check_bulk_size(ctx, len(body.items))
    return service.register_many(ctx, body.items)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def unregister(
    session: SessionDep,
    caller: Writer,
    settings: SettingsDep,
    fqn: str = Query(min_length=1),
    team: str | None = Query(default=None, description="default: the caller's team"),
    consumer_ref: str = Query(default="default", min_length=1),
) -> Response:
    """Remove a registration."""
    service.unregister(Ctx(session, caller, settings), fqn, team, consumer_ref)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("", response_model=list[Registration])
def list_registrations(
    session: ReadSessionDep,
    caller: Reader,
    asset: str | None = Query(default=None, description="asset FQN"),
    team: str | None = Query(default=None, description="consumer team"),
) -> list[Registration]:
    """Registrations, by asset and/or team."""
    asset_id = None
    if asset is not None:
        found = AssetRepository(session).get(asset)
        if found is None:
            raise NotFound(f"asset '{asset}' does not exist", fqn=asset)
        asset_id = found.id
    team_id = require_team(session, team).id if team else None
    rows = RegistrationRepository(session).listing(asset_id, team_id)
    return [service.registration_out(r, fqn, name) for r, fqn, name in rows]
