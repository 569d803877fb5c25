"""Publish one contract, many contracts, or check (dry run) — DESIGN.md §4.

Outcomes: ``unchanged`` (identical canonical schema and guarantees: no version), ``published``
(compatible under the asset's mode, or breaking with no affected consumer; computed version),
``proposed`` (breaking: a proposal awaits the affected consumers), ``forced`` (admin with a reason).
A dry run executes exactly the same code inside a savepoint that is rolled back, so the check can never
disagree with the real publish.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.assets.repository import AssetRepository
from service.assets.service import apply_asset_fields, claim_or_check_owner, create_asset, ensure_assets
from service.audit.recorder import record
from service.context import Ctx
from service.errors import Forbidden, ServiceError, Unprocessable
from service.models import Asset, Contract, Proposal
from service.proposals.machine import Event
from service.proposals.repository import LIVE, ProposalRepository
from service.proposals.service import affected_for, evaluate, history_schemas, open_proposal, set_status
from service.publishing.contracts import activate
from service.publishing.engine import Verdict, canonicalize, fingerprint, judge
from tessera_core.models import (
    BulkPublishRequest,
    BulkPublishResult,
    ChangeInfo,
    ErrorInfo,
    ProposalStatus,
    PublishItem,
    PublishOutcome,
    PublishResult,
)
from tessera_core.types import Bump


class _DryRun(Exception):
    """Raised to roll back the savepoint of a dry run."""


@dataclass
class Prefetched:
    """Active contracts and live proposals of the (locked) assets of a bulk request, read in two queries."""

    active: dict[uuid.UUID, Contract] = field(default_factory=dict)
    live: dict[uuid.UUID, Proposal] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, asset_ids: list[uuid.UUID]) -> Prefetched:
        """Read both maps for ``asset_ids``."""
        found = cls()
        for start in range(0, len(asset_ids), 500):
            chunk = asset_ids[start : start + 500]
            for contract in session.scalars(
                select(Contract).where(Contract.asset_id.in_(chunk), Contract.status == "active")
            ):
                found.active[contract.asset_id] = contract
            for proposal in session.scalars(
                select(Proposal).where(Proposal.asset_id.in_(chunk), Proposal.status.in_(LIVE))
            ):
                found.live[proposal.asset_id] = proposal
        return found


def _changes(changes: list[dict[str, Any]]) -> list[ChangeInfo]:
    return [ChangeInfo.model_validate(c) for c in changes]


def _result(item: PublishItem, outcome: PublishOutcome, **fields: Any) -> PublishResult:
    return PublishResult(fqn=item.fqn, outcome=outcome, **fields)


def _publish(ctx: Ctx, item: PublishItem, asset: Asset | None, known: Prefetched | None) -> PublishResult:
    """Publish one item into an (already locked, possibly missing) asset."""
    if item.force_reason is not None and not (ctx.actor and ctx.actor.is_admin):
        raise Forbidden("force_reason needs an admin key: only an admin can publish without acknowledgments")
    schema = canonicalize(item.schema_, item.format)
    guarantees = item.guarantees or {}
    content = fingerprint(schema, guarantees)
    repo = AssetRepository(ctx.session)
    created = asset is None
    if asset is None:
        asset = create_asset(ctx, item.fqn, item.owner_team, item)
        created = asset.created_at == ctx.now  # not created concurrently by someone else
    else:
        claim_or_check_owner(ctx, asset, item.owner_team, action=f"publish '{asset.fqn}'")
    apply_asset_fields(ctx, asset, item, via="publish")
    if item.depends_on:
        _link(ctx, asset, item.depends_on)

    live: Proposal | None
    active: Contract | None
    if created:
        live, active = None, None
    elif known is not None:
        live, active = known.live.get(asset.id), known.active.get(asset.id)
    else:
        live, active = ProposalRepository(ctx.session).live(asset.id), repo.active_contract(asset.id)
    if live is not None and not evaluate(ctx, asset, live).live:
        live, active = None, repo.active_contract(asset.id)
    source_format = str(item.format)
    if active is None:
        contract = activate(
            ctx,
            asset,
            schema=schema,
            source=item.schema_,
            format=source_format,
            guarantees=guarantees,
            fingerprint=content,
            bump=Bump.MAJOR,
            active=None,
        )
        return _result(item, PublishOutcome.PUBLISHED, version=contract.version, message="first contract")
    if active.fingerprint == content:
        return _result(
            item,
            PublishOutcome.UNCHANGED,
            version=active.version,
            previous_version=active.version,
            message="identical to the active contract; no new version",
        )
    if live is not None and live.fingerprint == content:
        return _result(
            item,
            PublishOutcome.PROPOSED,
            version=active.version,
            previous_version=active.version,
            target_version=live.target_version,
            proposal_id=live.id,
            proposal_status=ProposalStatus(live.status),
            awaiting=live.awaiting + live.blocking,
            changes=_changes(live.changes),
            message="this schema is already proposed; returning the open proposal",
        )
    verdict = judge(asset.mode, history_schemas(ctx, asset, active), schema)
    if not verdict.breaking or item.force_reason is not None:
        return _publish_now(ctx, item, asset, active, live, verdict, schema, content)
    affected = affected_for(ctx, asset, active, verdict)
    if not affected:
        return _publish_now(ctx, item, asset, active, live, verdict, schema, content)
    proposal = open_proposal(
        ctx,
        asset,
        active,
        schema=schema,
        source=item.schema_,
        format=source_format,
        guarantees=guarantees,
        fingerprint=content,
        verdict=verdict,
        superseding=live,
    )
    now_active = repo.active_contract(asset.id)
    status = ProposalStatus(proposal.status)
    outcome = PublishOutcome.PUBLISHED if status is ProposalStatus.PUBLISHED else PublishOutcome.PROPOSED
    return _result(
        item,
        outcome,
        version=now_active.version if now_active else None,
        previous_version=active.version,
        target_version=proposal.target_version,
        proposal_id=proposal.id,
        proposal_status=status,
        awaiting=proposal.awaiting + proposal.blocking,
        changes=_changes(verdict.changes),
        message=(
            f"breaking under mode {asset.mode}: waiting for {', '.join(proposal.awaiting + proposal.blocking)}"
            if outcome is PublishOutcome.PROPOSED
            else "breaking, but every affected consumer had already consented to these changes"
        ),
    )


def _publish_now(
    ctx: Ctx,
    item: PublishItem,
    asset: Asset,
    active: Contract,
    live: Any,
    verdict: Verdict,
    schema: dict[str, Any],
    content: str,
) -> PublishResult:
    forced = verdict.breaking and item.force_reason is not None
    if verdict.breaking and live is not None:
        # a different breaking schema replaces whatever was proposed before
        set_status(ctx, asset, live, Event.SUPERSEDE, superseded_by="direct publish")
    extra: dict[str, Any] = {"changes": verdict.changes}
    if forced:
        skipped = sorted(a.team_name for a in affected_for(ctx, asset, active, verdict).values())
        extra |= {"reason": item.force_reason, "skipped": skipped}
    contract = activate(
        ctx,
        asset,
        schema=schema,
        source=item.schema_,
        format=str(item.format),
        guarantees=item.guarantees or {},
        fingerprint=content,
        bump=verdict.bump,
        action="contract.forced" if forced else "contract.published",
        payload=extra,
        active=active,
    )
    if live is not None and ProposalStatus(live.status).live:
        evaluate(ctx, asset, live)  # its base moved: re-judge it against the new active contract
    message = "compatible under mode " + asset.mode
    if forced:
        message = "forced by an admin: " + str(item.force_reason)
    elif verdict.breaking:
        message = f"breaking under mode {asset.mode}, but no registered consumer is affected"
    return _result(
        item,
        PublishOutcome.FORCED if forced else PublishOutcome.PUBLISHED,
        version=contract.version,
        previous_version=active.version,
        changes=_changes(verdict.changes),
        message=message,
        awaiting=[],
        proposal_id=live.id if live is not None and ProposalStatus(live.status).live else None,
        proposal_status=ProposalStatus(live.status)
        if live is not None and ProposalStatus(live.status).live
        else None,
    )


def _link(ctx: Ctx, asset: Asset, upstream_fqns: list[str]) -> None:
    upstream = ensure_assets(ctx, [f for f in upstream_fqns if f != asset.fqn])
    new = AssetRepository(ctx.session).add_edges(asset.id, (a.id for a in upstream.values()))
    if new:
        names = {a.id: f for f, a in upstream.items()}
        record(
            ctx.session,
            ctx.actor,
            "lineage.linked",
            "asset",
            asset.id,
            asset=asset,
            payload={"upstream": sorted(names[i] for i in new)},
            emit=False,
        )


def _dry_run_result(ctx: Ctx, item: PublishItem, real: PublishResult, existing: Any) -> PublishResult:
    fields: dict[str, Any] = {
        "dry_run": True,
        "proposal_id": None,
        "proposal_status": None,
    }
    if existing is not None:
        fields["proposal_id"] = existing.id
        fields["proposal_status"] = ProposalStatus(existing.status)
    if real.outcome is PublishOutcome.PROPOSED:
        fields["message"] = (
            f"would need acknowledgments from: {', '.join(real.awaiting)}"
            if existing is None or not ProposalStatus(existing.status).live
            else f"already proposed (proposal {existing.id}); waiting for: {', '.join(real.awaiting)}"
        )
        fields["version"] = real.previous_version
    elif real.outcome is PublishOutcome.PUBLISHED:
        fields["message"] = f"would publish {real.version}: {real.message}"
    return real.model_copy(update=fields)


def publish_one(
    ctx: Ctx,
    item: PublishItem,
    *,
    dry_run: bool = False,
    asset: Asset | None = None,
    locked: bool = False,
    known: Prefetched | None = None,
) -> PublishResult:
    """Publish (or check) one item in a savepoint; errors roll back only this item."""
    session: Session = ctx.session
    if not locked:
        asset = AssetRepository(session).get(item.fqn, lock=True)
    existing = None
    if dry_run and asset is not None:
        schema = canonicalize(item.schema_, item.format)
        existing = ProposalRepository(session).latest_with_fingerprint(
            asset.id, fingerprint(schema, item.guarantees or {})
        )
        if existing is not None and existing.status not in (
            ProposalStatus.OPEN,
            ProposalStatus.BLOCKED,
            ProposalStatus.PUBLISHED,
            ProposalStatus.FORCED,
        ):
            existing = None
    savepoint = session.begin_nested()
    try:
        result = _publish(ctx, item, asset, known)
        if dry_run:
            raise _DryRun
        savepoint.commit()
        return result
    except _DryRun:
        savepoint.rollback()
        return _dry_run_result(ctx, item, result, existing)
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise


def publish_bulk(ctx: Ctx, request: BulkPublishRequest) -> BulkPublishResult:
    """Publish (or check) every item in one transaction; a failing item does not abort the others."""
    if len(request.items) > ctx.settings.max_bulk_items:
        raise Unprocessable(
            f"too many items: {len(request.items)} > {ctx.settings.max_bulk_items} (TESSERA_MAX_BULK_ITEMS); split the request"
        )
    seen: set[str] = set()
    for index, item in enumerate(request.items):
        if item.fqn in seen:
            raise Unprocessable(
                f"items[{index}]: '{item.fqn}' appears more than once; publish each asset once per request"
            )
        seen.add(item.fqn)
    locked = AssetRepository(ctx.session).lock_many(seen)
    known = Prefetched.load(ctx.session, [a.id for a in locked.values()])
    results: list[PublishResult] = []
    for item in request.items:
        try:
            # locked above when it existed; an earlier item may also have created it (depends_on)
            asset = locked.get(item.fqn) or AssetRepository(ctx.session).get(item.fqn)
            results.append(
                publish_one(ctx, item, dry_run=request.dry_run, asset=asset, locked=True, known=known)
            )
        except ServiceError as exc:
            results.append(
                PublishResult(
                    fqn=item.fqn,
                    outcome=PublishOutcome.ERROR,
                    dry_run=request.dry_run,
                    error=ErrorInfo(code=exc.code, message=exc.message, details=exc.details),
                    message=exc.message,
                )
            )
    counts = Counter(str(r.outcome) for r in results)
    return BulkPublishResult(dry_run=request.dry_run, results=results, counts=dict(counts))
