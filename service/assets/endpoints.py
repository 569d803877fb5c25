"""``/api/v1/assets``: list, read, create / change policy, contract history.

FQNs may contain ``/`` (``api.GET./users/{id}``): clients percent-encode them; the path converter takes the rest.
"""

from __future__ import annotations

from fastapi import APIRouter, Query

from service.assets.repository import AssetRepository
from service.assets.service import asset_out, set_asset
from service.context import Ctx
from service.deps import Reader, ReadSessionDep, SessionDep, SettingsDep, Writer
from service.errors import NotFound
from service.models import Asset as AssetRow
from service.teams.repository import TeamRepository
from service.teams.service import require_team
from tessera_core.models import Asset, AssetSet, Contract, ContractStatus
from tessera_core.types import SchemaFormat

router = APIRouter(prefix="/api/v1/assets", tags=["assets"])


def _require(session: ReadSessionDep, fqn: str) -> AssetRow:
    asset = AssetRepository(session).get(fqn)
    if asset is None:
        raise NotFound(f"asset '{fqn}' does not exist", fqn=fqn)
    return asset


@router.get("", response_model=list[Asset])
def list_assets(
    session: ReadSessionDep,
    caller: Reader,
    owner: str | None = Query(default=None, description="owner team"),
    limit: int = Query(default=1000, ge=1, le=50_000),
    offset: int = Query(default=0, ge=0, le=1_000_000_000, description="assets to skip (paging)"),
) -> list[Asset]:
    """Assets by FQN."""
    owner_id = require_team(session, owner).id if owner else None
    return asset_out(session, list(AssetRepository(session).list(owner_id, limit, offset)))


@router.get("/{fqn:path}/contracts", response_model=list[Contract])
def list_contracts(fqn: str, session: ReadSessionDep, caller: Reader) -> list[Contract]:
    """Every version of the asset's contract, newest first."""
    asset = _require(session, fqn)
    history = list(AssetRepository(session).history(asset.id))
    names = TeamRepository(session).names(c.published_by_team_id for c in history)
    return [
        Contract(
            id=c.id,
            fqn=asset.fqn,
            version=c.version,
            schema=c.schema_,
            source=c.source,
            format=SchemaFormat(c.format),
            guarantees=c.guarantees,
            status=ContractStatus(c.status),
            published_by=names.get(c.published_by_team_id) if c.published_by_team_id else None,
            published_at=c.published_at,
        )
        for c in reversed(history)
    ]


@router.get("/{fqn:path}", response_model=Asset)
def get_asset(fqn: str, session: ReadSessionDep, caller: Reader) -> Asset:
    """One asset."""
    return asset_out(session, [_require(session, fqn)])[0]


@router.put("/{fqn:path}", response_model=Asset)
def put_asset(fqn: str, body: AssetSet, session: SessionDep, caller: Writer, settings: SettingsDep) -> Asset:
    """Create an asset or change its policy: owner, mode, kind, description, metadata, tags (audited)."""
    asset = set_asset(Ctx(session, caller, settings), fqn, body)
    return asset_out(session, [asset])[0]
