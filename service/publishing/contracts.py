"""Making a contract version active: the one place versions are computed and written."""

from __future__ import annotations

import uuid
from typing import Any

from service.assets.repository import AssetRepository
from service.audit.recorder import record
from service.context import Ctx
from service.models import Asset, Contract
from service.publishing.engine import next_version
from tessera_core.types import Bump


def activate(
    ctx: Ctx,
    asset: Asset,
    *,
    schema: dict[str, Any],
    source: Any,
    format: str,
    guarantees: dict[str, Any],
    fingerprint: str,
    bump: Bump,
    action: str = "contract.published",
    payload: dict[str, Any] | None = None,
    active: Contract | object | None = ...,
) -> Contract:
    """Publish a new version of ``asset`` (the previous active one becomes ``deprecated``).

    The version is computed from the active one, never taken from a request: a content change with no
    suggested bump (guarantees, annotations) is a patch. ``active`` may be passed when the caller has
    just read it under the asset lock.
    """
    repo = AssetRepository(ctx.session)
    known = active is not ...
    if not known:
        active = repo.active_contract(asset.id)
    assert active is None or isinstance(active, Contract)
    if active is not None and bump is Bump.NONE:
        bump = Bump.PATCH
    version = next_version(active.version if active else None, bump)
    if active is not None:
        # one active contract per asset (unique partial index): the unit of work emits this UPDATE before
        # the INSERT below, whichever flush writes them; no flush here, so bulk publishes write in bulk
        active.status = "deprecated"
    contract = Contract(
        id=uuid.uuid4(),
        asset_id=asset.id,
        # the active contract is always the newest; an asset without one has no contract at all
        seq=active.seq + 1 if active is not None else (1 if known else repo.next_seq(asset.id)),
        version=version,
        schema_=schema,
        source=source,
        format=format,
        guarantees=guarantees,
        fingerprint=fingerprint,
        status="active",
        published_by_team_id=ctx.actor.team_id if ctx.actor else None,
        published_key_id=ctx.actor.key_id if ctx.actor else None,
        published_at=ctx.now,
    )
    ctx.session.add(contract)
    record(
        ctx.session,
        ctx.actor,
        action,
        "contract",
        contract.id,
        asset=asset,
        payload={
            "version": version,
            "previous_version": active.version if active else None,
            **(payload or {}),
        },
    )
    return contract
