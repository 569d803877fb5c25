"""Publish one contract, many contracts, or check (dry run) — DESIGN.md §4.

Outcomes: ``unchanged`` (identical canonical schema and guarantees: no version), ``published``
(compatible under the asset's mode, or breaking with no affected consumer; computed version),
``proposed`` (breaking: a proposal awaits the affected consumers), ``forced`` (admin with a reason).
A dry run executes exactly the same code inside a savepoint that is rolled back, so the check can never
disagree with the real publish.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from service.assets.repository import AssetRepository
from service.assets.service import (
    apply_asset_fields,
    check_publisher,
    claim_or_check_owner,
    create_asset,
    ensure_assets,
)
from service.audit.recorder import batched, record
from service.context import Ctx
from service.errors import Conflict, Forbidden, ServiceError, Unprocessable
from service.models import Asset, Contract, Proposal
from service.proposals.consumers import Consumer
from service.proposals.machine import Event
from service.proposals.repository import LIVE, ProposalRepository
from service.proposals.service import affected_for, evaluate, history_schemas, open_proposal, set_status
from service.publishing.contracts import activate
from service.publishing.engine import Verdict, canonicalize, fingerprint, judge, same_document
from service.publishing.gc_pause import gc_paused
from service.registrations.repository import RegistrationRepository
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

log = logging.getLogger("tessera.service")


class _DryRun(Exception):
    """Raised to roll back the savepoint of a dry run."""


@dataclass
class Prefetched:
    """What a bulk request reads up front, in a few queries, under the locks of its assets.

    ``assets`` holds every asset the request names (items and their ``depends_on``) that exists, plus
    the ones the request creates; a FQN missing from it does not exist. ``active``/``live``/``consumers``
    cover the assets that existed when they were locked; ``upstream`` the lineage edges into them.
    """

    assets: dict[str, Asset] = field(default_factory=dict)
    active: dict[uuid.UUID, Contract] = field(default_factory=dict)
    live: dict[uuid.UUID, Proposal] = field(default_factory=dict)
    consumers: dict[uuid.UUID, list[Consumer]] = field(default_factory=dict)
    upstream: dict[uuid.UUID, set[uuid.UUID]] = field(default_factory=dict)
    loaded: set[uuid.UUID] = field(default_factory=set)
    """Ids of the assets whose active contract, live proposal and registrations were read here."""

    @classmethod
    def load(cls, session: Session, locked: dict[str, Asset], others: Collection[str] = ()) -> Prefetched:
        """Read everything for the ``locked`` assets; ``others`` (upstream FQNs) are only looked up."""
        found = cls(assets=dict(locked))
        found.assets.update(AssetRepository(session).get_many(set(others) - set(locked)))
        asset_ids = [a.id for a in locked.values()]
        found.loaded = set(asset_ids)
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
        found.consumers = RegistrationRepository(session).consumers_of(asset_ids)
        found.upstream = AssetRepository(session).upstream_ids(asset_ids)
        return found

    def snapshot(self) -> tuple[dict[str, Asset], dict[uuid.UUID, set[uuid.UUID]]]:
        """The parts a failed item may have changed (see :meth:`restore`)."""
        return dict(self.assets), {k: set(v) for k, v in self.upstream.items()}

    def restore(self, snapshot: tuple[dict[str, Asset], dict[uuid.UUID, set[uuid.UUID]]]) -> None:
        """Forget what a rolled-back item created."""
        self.assets, self.upstream = dict(snapshot[0]), {k: set(v) for k, v in snapshot[1].items()}


@dataclass(frozen=True)
class Prepared:
    """An item checked before anything is written: its canonical schema and content fingerprint."""

    index: int
    item: PublishItem
    schema: dict[str, Any]
    content: str


def _prepare(
    ctx: Ctx, index: int, item: PublishItem, asset: Asset | None, known: Prefetched | None
) -> Prepared:
    """Everything about one item that can be refused without writing: rights, ownership, its schema.

    A source document identical to the active contract's (or the live proposal's) source, with the same
    format and guarantees, is that contract's content: it is not normalized again. (So an engine upgrade
    never turns an unchanged re-publish into a new version.)
    """
    if item.force_reason is not None and not (ctx.actor and ctx.actor.is_admin):
        raise Forbidden("force_reason needs an admin key: only an admin can publish without acknowledgments")
    guarantees = item.guarantees or {}
    prepared = None
    if asset is not None and known is not None:
        for stored in (known.active.get(asset.id), known.live.get(asset.id)):
            if stored is not None and _same_content(stored, item, guarantees):
                prepared = Prepared(index, item, stored.schema_, stored.fingerprint)
                break
    if prepared is None:
        schema = canonicalize(item.schema_, item.format)
        prepared = Prepared(index, item, schema, fingerprint(schema, guarantees))
    check_publisher(ctx, asset, item.fqn, item.owner_team, action=f"publish '{item.fqn}'")
    return prepared


def _same_content(stored: Contract | Proposal, item: PublishItem, guarantees: dict[str, Any]) -> bool:
    return (
        stored.format == str(item.format)
        and same_document(stored.source, item.schema_)
        and same_document(stored.guarantees, guarantees)
    )


def _changes(changes: list[dict[str, Any]]) -> list[ChangeInfo]:
    return [ChangeInfo.model_validate(c) for c in changes]


def _result(item: PublishItem, outcome: PublishOutcome, **fields: Any) -> PublishResult:
    return PublishResult(fqn=item.fqn, outcome=outcome, **fields)


def _publish(
    ctx: Ctx, prepared: Prepared, asset: Asset | None, known: Prefetched | None, *, batch: bool = False
) -> PublishResult:
    """Publish one checked item into an (already locked, possibly missing) asset.

    ``known``: what a bulk request prefetched. With ``batch`` nothing is flushed here (the caller writes
    the whole batch at once), so a concurrent creation of the same asset fails the batch instead of being
    handled here.
    """
    item, schema, content = prepared.item, prepared.schema, prepared.content
    guarantees = item.guarantees or {}
    repo = AssetRepository(ctx.session)
    created = asset is None
    if asset is None:
        asset = create_asset(ctx, item.fqn, item.owner_team, item, isolated=not batch)
        created = asset.created_at == ctx.now  # not created concurrently by someone else
        if known is not None:
            known.assets[asset.fqn] = asset
    else:
        claim_or_check_owner(ctx, asset, item.owner_team, action=f"publish '{asset.fqn}'")
    apply_asset_fields(ctx, asset, item, via="publish")
    if item.depends_on:
        _link(ctx, asset, item.depends_on, known, batch=batch)
    if known is not None and not created and asset.id not in known.loaded:
        known = None  # created concurrently after the prefetch: read its state below

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
    # the prefetched registrations are current: registering takes the same asset lock
    consumers = known.consumers.get(asset.id, []) if known is not None and not created else None
    if not verdict.breaking or item.force_reason is not None:
        return _publish_now(ctx, item, asset, active, live, verdict, schema, content, consumers)
    affected = affected_for(ctx, asset, active, verdict, consumers)
    if not affected:
        return _publish_now(ctx, item, asset, active, live, verdict, schema, content, consumers)
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
        affected=affected,
    )
    now_active = repo.active_contract(asset.id) if proposal.published_contract_id else active
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
    consumers: list[Consumer] | None,
) -> PublishResult:
    forced = verdict.breaking and item.force_reason is not None
    if verdict.breaking and live is not None:
        # a different breaking schema replaces whatever was proposed before
        set_status(ctx, asset, live, Event.SUPERSEDE, superseded_by="direct publish")
    extra: dict[str, Any] = {"changes": verdict.changes}
    if forced:
        skipped = sorted(a.team_name for a in affected_for(ctx, asset, active, verdict, consumers).values())
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


def _link(ctx: Ctx, asset: Asset, upstream_fqns: list[str], known: Prefetched | None, *, batch: bool) -> None:
    wanted = [f for f in upstream_fqns if f != asset.fqn]
    if known is None:
        upstream = ensure_assets(ctx, wanted)
        existing = None
    else:
        upstream = ensure_assets(ctx, wanted, known=known.assets, isolated=not batch)
        existing = known.upstream.setdefault(asset.id, set())
    new = AssetRepository(ctx.session).add_edges(
        asset.id, (a.id for a in upstream.values()), existing=existing
    )
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


def publish_one(ctx: Ctx, item: PublishItem, *, dry_run: bool = False) -> PublishResult:
    """Publish (or check) one item in a savepoint; errors roll back only this item."""
    session: Session = ctx.session
    asset = AssetRepository(session).get(item.fqn, lock=True)
    try:
        with session.begin_nested():
            prepared = _prepare(ctx, 0, item, asset, None)
            existing = _existing_proposals(session, [(asset, prepared)])[0] if dry_run else None
            result = _publish(ctx, prepared, asset, None)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return _dry_run_result(ctx, item, result, existing)
    return result


def _existing_proposals(
    session: Session, pairs: list[tuple[Asset | None, Prepared]]
) -> list[Proposal | None]:
    """For a dry run: per item, the newest proposal for exactly its content, if it is live or shipped."""
    wanted = {(a.id, p.content) for a, p in pairs if a is not None}
    newest = ProposalRepository(session).latest_with_fingerprints(wanted)
    shown = (ProposalStatus.OPEN, ProposalStatus.BLOCKED, ProposalStatus.PUBLISHED, ProposalStatus.FORCED)
    found: list[Proposal | None] = []
    for asset, prepared in pairs:
        proposal = newest.get((asset.id, prepared.content)) if asset is not None else None
        found.append(proposal if proposal is not None and proposal.status in shown else None)
    return found


def _error(item: PublishItem, dry_run: bool, exc: ServiceError) -> PublishResult:
    return PublishResult(
        fqn=item.fqn,
        outcome=PublishOutcome.ERROR,
        dry_run=dry_run,
        error=ErrorInfo(code=exc.code, message=exc.message, details=exc.details),
        message=exc.message,
    )


def publish_bulk(ctx: Ctx, request: BulkPublishRequest) -> BulkPublishResult:
    """Publish (or check) every item in one transaction; a failing item does not abort the others.

    Every item is first checked without writing anything (rights, ownership, its schema); the ones that
    pass are then published together with no per-item savepoint, their rows written in bulk. Only if that
    batch fails after all (a database constraint, a race) is it rolled back and replayed item by item, each
    in its own savepoint, so that one bad item still cannot abort the others.
    """
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
    with gc_paused(len(request.items)):
        return _publish_bulk(ctx, request)


def _publish_bulk(ctx: Ctx, request: BulkPublishRequest) -> BulkPublishResult:
    session = ctx.session
    seen = {item.fqn for item in request.items}
    upstream = {f for item in request.items for f in item.depends_on or ()}
    known = Prefetched.load(session, AssetRepository(session).lock_many(seen), upstream - seen)
    results: list[PublishResult | None] = [None] * len(request.items)
    batch: list[Prepared] = []
    for index, item in enumerate(request.items):
        try:
            batch.append(_prepare(ctx, index, item, known.assets.get(item.fqn), known))
        except ServiceError as exc:
            results[index] = _error(item, request.dry_run, exc)
    existing = (
        _existing_proposals(session, [(known.assets.get(p.item.fqn), p) for p in batch])
        if request.dry_run
        else [None] * len(batch)
    )
    before = known.snapshot()
    try:
        with session.begin_nested():
            with batched(session):
                done = [_publish(ctx, p, known.assets.get(p.item.fqn), known, batch=True) for p in batch]
            if request.dry_run:
                raise _DryRun
    except _DryRun:
        done = [_dry_run_result(ctx, p.item, r, e) for p, r, e in zip(batch, done, existing, strict=True)]
    except (ServiceError, IntegrityError, DataError) as exc:
        log.info("bulk publish: replaying %d items one by one after %s", len(batch), type(exc).__name__)
        known.restore(before)
        done = [_isolated(ctx, p, known, request.dry_run, e) for p, e in zip(batch, existing, strict=True)]
    for prepared, result in zip(batch, done, strict=True):
        results[prepared.index] = result
    final = [r for r in results if r is not None]
    counts = Counter(str(r.outcome) for r in final)
    return BulkPublishResult(dry_run=request.dry_run, results=final, counts=dict(counts))


def _isolated(
    ctx: Ctx, prepared: Prepared, known: Prefetched, dry_run: bool, existing: Proposal | None
) -> PublishResult:
    """One item of a bulk request in its own savepoint (the slow path, after a batch failed)."""
    before = known.snapshot()
    try:
        with ctx.session.begin_nested():
            result = _publish(ctx, prepared, known.assets.get(prepared.item.fqn), known)
            ctx.session.flush()
            if dry_run:
                raise _DryRun
        return result
    except _DryRun:
        known.restore(before)
        return _dry_run_result(ctx, prepared.item, result, existing)
    except (ServiceError, IntegrityError, DataError) as exc:
        known.restore(before)
        if isinstance(exc, ServiceError):
            return _error(prepared.item, dry_run, exc)
        log.info("bulk publish: %s failed in the database: %s", prepared.item.fqn, exc)
        refusal: ServiceError = (
            Unprocessable(
                f"'{prepared.item.fqn}': a value cannot be stored (a NUL character, or out of range for its field)",
                code="invalid_value",
            )
            if isinstance(exc, DataError)
            else Conflict(
                f"'{prepared.item.fqn}' conflicts with a concurrent change; retry it", code="conflict"
            )
        )
        return _error(prepared.item, dry_run, refusal)
