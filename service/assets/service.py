"""Asset policy: creation, ownership (claim / transfer), mode and descriptive fields — all audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Protocol

from service.assets.repository import AssetRepository
from service.audit.recorder import record
from service.context import Ctx
from service.errors import Conflict, Forbidden, Unprocessable
from service.models import Asset
from service.proposals.service import evaluate_live
from service.teams.repository import TeamRepository
from service.teams.service import require_team
from tessera_core.models import Asset as AssetOut
from tessera_core.models import AssetSet
from tessera_core.types import Mode

DEFAULT_KIND = "table"
PLACEHOLDER_KIND = "unknown"


class AssetFields(Protocol):
    """What a publish item or an asset-set request may change on an asset."""

    mode: Mode | None
    kind: str | None
    description: str | None
    metadata: dict[str, Any] | None
    tags: list[str] | None


def _owner(ctx: Ctx, owner_name: str | None, fqn: str) -> Any:
    assert ctx.actor is not None
    name = owner_name or ctx.actor.team_name
    team = ctx.team(name, what="owner team")
    if team.id != ctx.actor.team_id and not ctx.actor.is_admin:
        raise Forbidden(
            f"team '{ctx.actor.team_name}' may not make team '{name}' the owner of '{fqn}' "
            "(only an admin can act for another team)"
        )
    return team


def create_asset(
    ctx: Ctx, fqn: str, owner_name: str | None, fields: AssetFields | None, *, isolated: bool = True
) -> Asset:
    """Create an asset owned by ``owner_name`` (default: the caller's team), or return the one a
    concurrent request just created (then ownership is checked as for any existing asset).

    ``isolated=False``: see :meth:`AssetRepository.create` (bulk requests).
    """
    team = _owner(ctx, owner_name, fqn)
    asset = Asset(
        id=uuid.uuid4(),
        fqn=fqn,
        kind=(fields.kind if fields else None) or DEFAULT_KIND,
        owner_team_id=team.id,
        mode=str(fields.mode) if fields and fields.mode else str(Mode.BACKWARD),
        description=fields.description if fields else None,
        meta=(fields.metadata if fields else None) or {},
        tags=(fields.tags if fields else None) or [],
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    stored = AssetRepository(ctx.session).create(asset, isolated=isolated)
    if stored is not asset:
        claim_or_check_owner(ctx, stored, owner_name, action=f"publish '{fqn}'")
        return stored
    record(
        ctx.session,
        ctx.actor,
        "asset.created",
        "asset",
        asset.id,
        asset=asset,
        payload={"owner_team": team.name, "mode": asset.mode, "kind": asset.kind},
    )
    return asset


def ensure_assets(
    ctx: Ctx, fqns: Iterable[str], *, known: dict[str, Asset] | None = None, isolated: bool = True
) -> dict[str, Asset]:
    """Existing assets by FQN; missing ones are created unclaimed (no owner until a producer publishes).

    ``known`` (bulk requests): assets already read by FQN, where a FQN missing from it does not exist; the
    assets created here are added to it. ``isolated=False``: see :meth:`AssetRepository.create`.
    """
    repo = AssetRepository(ctx.session)
    result: dict[str, Asset] = {}
    for fqn in sorted(set(fqns)):
        asset = known.get(fqn) if known is not None else repo.get(fqn)
        if asset is None:
            asset = repo.create(
                Asset(
                    id=uuid.uuid4(),
                    fqn=fqn,
                    kind=PLACEHOLDER_KIND,
                    owner_team_id=None,
                    mode=str(Mode.BACKWARD),
                    meta={},
                    tags=[],
                    created_at=ctx.now,
                    updated_at=ctx.now,
                ),
                isolated=isolated,
            )
            if known is not None:
                known[fqn] = asset
            record(
                ctx.session,
                ctx.actor,
                "asset.created",
                "asset",
                asset.id,
                asset=asset,
                payload={"owner_team": None, "unclaimed": True},
            )
        result[fqn] = asset
    return result


def check_publisher(
    ctx: Ctx, asset: Asset | None, fqn: str, requested_owner: str | None, *, action: str
) -> None:
    """Raise what :func:`create_asset` / :func:`claim_or_check_owner` would raise for this caller, writing
    nothing (bulk requests check every item before writing any)."""
    if asset is None or asset.owner_team_id is None:
        _owner(ctx, requested_owner, fqn)
    else:
        _check_owner(ctx, asset, requested_owner, action=action)


def _check_owner(ctx: Ctx, asset: Asset, requested_owner: str | None, *, action: str) -> None:
    assert ctx.actor is not None
    assert asset.owner_team_id is not None
    owner_name = ctx.team_name(asset.owner_team_id)
    ctx.actor.require_team(asset.owner_team_id, owner_name, action)
    if requested_owner is not None and requested_owner != owner_name:
        raise Conflict(
            f"'{asset.fqn}' is owned by team '{owner_name}', not '{requested_owner}'; "
            "transfer ownership with: tessera asset set --fqn FQN --owner TEAM",
            code="owner_mismatch",
            owner_team=owner_name,
        )


def claim_or_check_owner(ctx: Ctx, asset: Asset, requested_owner: str | None, *, action: str) -> None:
    """Unclaimed asset: the caller claims it. Claimed: the caller must be its owner team or an admin."""
    assert ctx.actor is not None
    if asset.owner_team_id is None:
        team = _owner(ctx, requested_owner, asset.fqn)
        asset.owner_team_id = team.id
        record(
            ctx.session,
            ctx.actor,
            "asset.claimed",
            "asset",
            asset.id,
            asset=asset,
            payload={"owner_team": team.name},
        )
        return
    _check_owner(ctx, asset, requested_owner, action=action)


def apply_asset_fields(ctx: Ctx, asset: Asset, fields: AssetFields, *, via: str) -> bool:
    """Apply the given (non-None) fields; the mode is a policy change and audited as such."""
    changed: dict[str, Any] = {}
    if fields.mode is not None and str(fields.mode) != asset.mode:
        record(
            ctx.session,
            ctx.actor,
            "asset.mode_changed",
            "asset",
            asset.id,
            asset=asset,
            payload={"from": asset.mode, "to": str(fields.mode), "via": via},
        )
        asset.mode = str(fields.mode)
        changed["mode"] = asset.mode
    for name, attr in (
        ("kind", "kind"),
        ("description", "description"),
        ("metadata", "meta"),
        ("tags", "tags"),
    ):
        value = getattr(fields, name)
        if value is not None and value != getattr(asset, attr):
            setattr(asset, attr, value)
            changed[name] = value
    if changed:
        asset.updated_at = ctx.now
        if set(changed) - {"mode"}:
            record(
                ctx.session,
                ctx.actor,
                "asset.updated",
                "asset",
                asset.id,
                asset=asset,
                payload={**changed, "via": via},
                emit=False,
            )
    return bool(changed)


def set_asset(ctx: Ctx, fqn: str, body: AssetSet) -> Asset:
    """Create an asset, change its policy or transfer it (owner team or admin)."""
    assert ctx.actor is not None
    repo = AssetRepository(ctx.session)
    asset = repo.get(fqn, lock=True)
    if asset is None:
        if body.owner_team is None:
            raise Unprocessable(
                f"'{fqn}' does not exist yet: owner_team is required to create it", code="validation_error"
            )
        asset = create_asset(ctx, fqn, body.owner_team, body)
    elif asset.owner_team_id is None:
        claim_or_check_owner(ctx, asset, body.owner_team, action=f"change '{fqn}'")
    else:
        names = TeamRepository(ctx.session).names([asset.owner_team_id])
        ctx.actor.require_team(
            asset.owner_team_id, names[asset.owner_team_id], f"change the policy of '{fqn}'"
        )
        if body.owner_team is not None and body.owner_team != names[asset.owner_team_id]:
            new_owner = require_team(ctx.session, body.owner_team, what="owner team")
            record(
                ctx.session,
                ctx.actor,
                "asset.owner_changed",
                "asset",
                asset.id,
                asset=asset,
                payload={"from": names[asset.owner_team_id], "to": new_owner.name},
            )
            asset.owner_team_id = new_owner.id
    apply_asset_fields(ctx, asset, body, via="asset set")
    if body.proposal_ttl_seconds is not None and body.proposal_ttl_seconds != asset.proposal_ttl_seconds:
        record(
            ctx.session,
            ctx.actor,
            "asset.updated",
            "asset",
            asset.id,
            asset=asset,
            payload={"proposal_ttl_seconds": body.proposal_ttl_seconds},
            emit=False,
        )
        asset.proposal_ttl_seconds = body.proposal_ttl_seconds
    ctx.session.flush()
    evaluate_live(ctx, asset)  # a new mode or owner can change who must answer
    return asset


def asset_out(ctx_session: Any, assets: list[Asset]) -> list[AssetOut]:
    """Wire form of assets (owner names and active versions in two queries)."""
    names = TeamRepository(ctx_session).names(a.owner_team_id for a in assets)
    versions = AssetRepository(ctx_session).active_versions(a.id for a in assets)
    return [
        AssetOut(
            id=a.id,
            fqn=a.fqn,
            kind=a.kind,
            owner_team=names.get(a.owner_team_id) if a.owner_team_id else None,
            mode=Mode(a.mode),
            description=a.description,
            metadata=a.meta,
            tags=a.tags,
            proposal_ttl_seconds=a.proposal_ttl_seconds,
            active_version=versions.get(a.id),
            created_at=a.created_at,
            updated_at=a.updated_at,
        )
        for a in assets
    ]
