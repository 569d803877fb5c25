"""Register and unregister consumers; open proposals are re-evaluated at once (DESIGN.md §4)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from service.assets.repository import AssetRepository
from service.assets.service import ensure_assets
from service.audit.recorder import batched, record
from service.context import Ctx
from service.errors import NotFound, Unprocessable
from service.models import Asset, Registration, Team
from service.proposals.repository import ProposalRepository
from service.proposals.service import evaluate, evaluate_live
from service.publishing.gc_pause import gc_paused
from service.registrations.repository import RegistrationRepository
from tessera_core.models import Registration as RegistrationOut
from tessera_core.models import RegistrationIn


def _team_for(ctx: Ctx, name: str | None) -> Team:
    assert ctx.actor is not None
    team = ctx.team(name or ctx.actor.team_name)
    ctx.actor.require_team(team.id, team.name, f"register or unregister consumers for team '{team.name}'")
    return team


Key = tuple[uuid.UUID, uuid.UUID, str]
"""A registration's idempotency key: (asset id, team id, consumer reference)."""


def _upsert(
    ctx: Ctx, asset: Asset, team: Team, item: RegistrationIn, existing: dict[Key, Registration]
) -> tuple[Registration, bool]:
    columns = sorted(set(item.columns)) if item.columns is not None else None
    key = (asset.id, team.id, item.consumer_ref)
    registration = existing.get(key)
    if registration is None:
        registration = Registration(
            id=uuid.uuid4(),
            asset_id=asset.id,
            team_id=team.id,
            consumer_ref=item.consumer_ref,
            source=str(item.source),
            columns=columns,
            pinned_major=item.pinned_major,
            first_seen=ctx.now,
            last_seen=ctx.now,
        )
        ctx.session.add(registration)
        existing[key] = registration
        record(
            ctx.session,
            ctx.actor,
            "registration.created",
            "registration",
            registration.id,
            asset=asset,
            payload={
                "team": team.name,
                "consumer_ref": item.consumer_ref,
                "source": str(item.source),
                "columns": columns,
                "pinned_major": item.pinned_major,
            },
        )
        return registration, True
    registration.last_seen = ctx.now
    changed = (registration.columns, registration.pinned_major, registration.source) != (
        columns,
        item.pinned_major,
        str(item.source),
    )
    if changed:
        record(
            ctx.session,
            ctx.actor,
            "registration.updated",
            "registration",
            registration.id,
            asset=asset,
            payload={
                "team": team.name,
                "consumer_ref": item.consumer_ref,
                "columns": columns,
                "pinned_major": item.pinned_major,
                "previous_columns": registration.columns,
                "previous_pinned_major": registration.pinned_major,
            },
        )
        registration.columns, registration.pinned_major, registration.source = (
            columns,
            item.pinned_major,
            str(item.source),
        )
    return registration, changed


def register_many(ctx: Ctx, items: Sequence[RegistrationIn]) -> list[RegistrationOut]:
    """Idempotent upsert of registrations in the caller's transaction; unknown assets are created unclaimed."""
    with gc_paused(len(items)):
        return _register_many(ctx, items)


def _register_many(ctx: Ctx, items: Sequence[RegistrationIn]) -> list[RegistrationOut]:
    teams: dict[int, Team] = {}
    for index, item in enumerate(items):
        try:
            teams[index] = _team_for(ctx, item.team)
        except NotFound as exc:
            raise NotFound(
                f"items[{index}]: {exc.message}" if len(items) > 1 else exc.message, **exc.details
            ) from exc
    fqns = {i.fqn for i in items}
    locked = AssetRepository(ctx.session).lock_many(fqns)
    try:
        with ctx.session.begin_nested():
            return _upsert_all(ctx, items, teams, locked, isolated=False)
    except IntegrityError:
        # a concurrent request created one of the unknown assets first: create them one savepoint at a
        # time, which takes over the other request's row
        return _upsert_all(ctx, items, teams, locked, isolated=True)


def _upsert_all(
    ctx: Ctx,
    items: Sequence[RegistrationIn],
    teams: dict[int, Team],
    locked: dict[str, Asset],
    *,
    isolated: bool,
) -> list[RegistrationOut]:
    unknown = {i.fqn for i in items} - set(locked)
    touched: dict[str, Asset] = {}
    out: list[RegistrationOut] = []
    with batched(ctx.session):
        assets = {**locked, **ensure_assets(ctx, unknown, known=dict(locked), isolated=isolated)}
        # also on the assets just created: one a concurrent request created may have registrations
        existing = RegistrationRepository(ctx.session).find_many(a.id for a in assets.values())
        for index, item in enumerate(items):
            asset = assets[item.fqn]
            registration, changed = _upsert(ctx, asset, teams[index], item, existing)
            if changed:
                touched[asset.fqn] = asset
            out.append(registration_out(registration, asset.fqn, teams[index].name))
        # a new consumer must answer too; a changed one may no longer be affected
        live = ProposalRepository(ctx.session).live_of([a.id for a in touched.values()])
        for asset in touched.values():
            if asset.id in live:
                evaluate(ctx, asset, live[asset.id])
    return out


def unregister(ctx: Ctx, fqn: str, team_name: str | None, consumer_ref: str) -> None:
    """Remove a registration; an open proposal stops waiting for it (and may publish)."""
    team = _team_for(ctx, team_name)
    asset = AssetRepository(ctx.session).get(fqn, lock=True)
    if asset is None:
        raise NotFound(f"asset '{fqn}' does not exist", fqn=fqn)
    registration = RegistrationRepository(ctx.session).find(asset.id, team.id, consumer_ref)
    if registration is None:
        raise NotFound(
            f"team '{team.name}' has no registration on '{fqn}' with consumer_ref '{consumer_ref}'",
            fqn=fqn,
            team=team.name,
            consumer_ref=consumer_ref,
        )
    ctx.session.delete(registration)
    ctx.session.flush()
    record(
        ctx.session,
        ctx.actor,
        "registration.deleted",
        "registration",
        registration.id,
        asset=asset,
        payload={"team": team.name, "consumer_ref": consumer_ref},
    )
    evaluate_live(ctx, asset)


def registration_out(registration: Registration, fqn: str, team: str) -> RegistrationOut:
    """Wire form of a registration."""
    return RegistrationOut(
        id=registration.id,
        fqn=fqn,
        team=team,
        consumer_ref=registration.consumer_ref,
        source=registration.source,
        columns=registration.columns,
        pinned_major=registration.pinned_major,
        first_seen=registration.first_seen,
        last_seen=registration.last_seen,
    )


def check_bulk_size(ctx: Ctx, count: int) -> None:
    """Refuse absurdly large bulk requests with a clear message."""
    if count > ctx.settings.max_bulk_items:
        raise Unprocessable(f"too many items: {count} > {ctx.settings.max_bulk_items}; split the request")
