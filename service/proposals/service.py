"""The proposal lifecycle: evaluate (the invariant lives here), acknowledge, withdraw, force, expire.

``evaluate`` is called after anything that can change who must answer: an acknowledgment, a registration
added or removed, a policy change, a publish on the same asset, and before any decision is taken on a
proposal. It re-judges the proposal against the ACTIVE contract (never the stale base), recomputes the
affected consumers from the live registrations, and then publishes it only if every affected consumer's
current answer is a consent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.assets.repository import AssetRepository
from service.audit.recorder import record
from service.context import Ctx
from service.errors import Conflict, Forbidden, NotFound
from service.models import Acknowledgment, Asset, Contract, Proposal
from service.proposals.consumers import Affected, Consumer, affected_consumers, major_of
from service.proposals.machine import AUDIT_ACTION, Event, transition
from service.proposals.repository import ProposalRepository
from service.publishing.contracts import activate
from service.publishing.engine import Verdict, judge, next_version
from service.registrations.repository import RegistrationRepository
from tessera_core.models import AcknowledgeRequest, Decision, ProposalStatus
from tessera_core.types import Bump


def history_schemas(ctx: Ctx, asset: Asset, active: Contract) -> list[dict[str, Any]]:
    """The schemas the mode judges against: all versions for transitive modes, else the active one."""
    if asset.mode.endswith("_transitive"):
        return [c.schema_ for c in AssetRepository(ctx.session).history(asset.id)]
    return [active.schema_]


def affected_for(
    ctx: Ctx,
    asset: Asset,
    active: Contract | None,
    verdict: Verdict,
    consumers: Sequence[Consumer] | None = None,
) -> dict[uuid.UUID, Affected]:
    """Affected teams of a verdict on ``asset``, from the registrations as they are now.

    ``consumers``: the asset's registrations when the caller read them under the asset lock (bulk).
    """
    return affected_consumers(
        RegistrationRepository(ctx.session).consumers(asset.id) if consumers is None else consumers,
        owner_team_id=asset.owner_team_id,
        active_major=major_of(active.version if active else None),
        breaking_changes=verdict.breaking_changes,
    )


def set_status(ctx: Ctx, asset: Asset, proposal: Proposal, event: Event, **payload: Any) -> None:
    """Apply ``event`` through the transition table and audit it."""
    before = proposal.status
    proposal.status = transition(before, event)
    if not ProposalStatus(proposal.status).live:
        proposal.resolved_at = ctx.now
    record(
        ctx.session,
        ctx.actor,
        AUDIT_ACTION[event],
        "proposal",
        proposal.id,
        asset=asset,
        payload={"from": before, "event": str(event), **payload},
    )


def publish_proposal(
    ctx: Ctx, asset: Asset, proposal: Proposal, event: Event, verdict: Verdict, **payload: Any
) -> Contract:
    """Make the proposed contract active and close the proposal with ``event`` (approve or force)."""
    contract = activate(
        ctx,
        asset,
        schema=proposal.schema_,
        source=proposal.source,
        format=proposal.format,
        guarantees=proposal.guarantees,
        fingerprint=proposal.fingerprint,
        bump=verdict.bump,
        action="contract.forced" if event is Event.FORCE else "contract.published",
        payload={"proposal_id": str(proposal.id), "changes": verdict.changes, **payload},
    )
    proposal.published_contract_id = contract.id
    set_status(ctx, asset, proposal, event, version=contract.version, **payload)
    proposal.awaiting, proposal.blocking = [], []
    return contract


@dataclass(frozen=True)
class Judged:
    """What the caller has just computed for a new proposal under the asset lock: the active contract it
    was judged against, the verdict and the affected consumers. Saves re-reading and re-judging them."""

    active: Contract
    verdict: Verdict
    affected: dict[uuid.UUID, Affected]
    acks: Sequence[Acknowledgment] = ()


def refresh(
    ctx: Ctx, asset: Asset, proposal: Proposal, judged: Judged | None = None
) -> tuple[Contract | None, Verdict | None]:
    """Re-judge a live proposal against the active contract and recompute who it awaits (no transition).

    Returns (active contract, verdict); verdict None when the proposal's content is already active.
    """
    active = judged.active if judged else AssetRepository(ctx.session).active_contract(asset.id)
    if active is None or active.fingerprint == proposal.fingerprint:
        return active, None
    verdict = (
        judged.verdict if judged else judge(asset.mode, history_schemas(ctx, asset, active), proposal.schema_)
    )
    if active.id != proposal.base_contract_id:
        record(
            ctx.session,
            ctx.actor,
            "proposal.rebased",
            "proposal",
            proposal.id,
            asset=asset,
            payload={"from_version": proposal.base_version, "to_version": active.version},
        )
        proposal.base_contract_id, proposal.base_version = active.id, active.version
    proposal.changes = verdict.changes
    proposal.target_version = next_version(
        active.version, verdict.bump if verdict.bump != Bump.NONE else Bump.PATCH
    )
    affected = judged.affected if judged else affected_for(ctx, asset, active, verdict)
    acks = (
        {a.team_id: a for a in judged.acks}
        if judged
        else {a.team_id: a for a, _ in ProposalRepository(ctx.session).acks(proposal.id)}
    )
    awaiting: list[str] = []
    blocking: list[str] = []
    for team in sorted(affected.values(), key=lambda a: a.team_name):
        ack = acks.get(team.team_id)
        if ack is None or ack.changes_fingerprint != team.fingerprint:
            awaiting.append(team.team_name)
        elif not Decision(ack.decision).consents:
            blocking.append(team.team_name)
    proposal.awaiting, proposal.blocking = awaiting, blocking
    return active, verdict


def evaluate(ctx: Ctx, asset: Asset, proposal: Proposal, judged: Judged | None = None) -> ProposalStatus:
    """Bring a live proposal up to date and take every transition that is due; returns its status."""
    if not ProposalStatus(proposal.status).live:
        return ProposalStatus(proposal.status)
    if proposal.expires_at is not None and proposal.expires_at <= ctx.now:
        set_status(ctx, asset, proposal, Event.EXPIRE, expires_at=proposal.expires_at.isoformat())
        return ProposalStatus(proposal.status)
    active, verdict = refresh(ctx, asset, proposal, judged)
    if verdict is None:
        # what it proposes is already active (published some other way)
        proposal.published_contract_id = active.id if active else None
        set_status(ctx, asset, proposal, Event.APPROVE, already_active=True)
        proposal.awaiting, proposal.blocking = [], []
    elif not verdict.breaking:
        publish_proposal(
            ctx, asset, proposal, Event.APPROVE, verdict, note=f"not breaking under mode {asset.mode}"
        )
    elif proposal.blocking:
        if proposal.status == ProposalStatus.OPEN:
            set_status(ctx, asset, proposal, Event.BLOCK, blocking=proposal.blocking)
    elif not proposal.awaiting:
        publish_proposal(ctx, asset, proposal, Event.APPROVE, verdict)
    elif proposal.status == ProposalStatus.BLOCKED:
        set_status(ctx, asset, proposal, Event.UNBLOCK, awaiting=proposal.awaiting)
    return ProposalStatus(proposal.status)


def evaluate_live(ctx: Ctx, asset: Asset) -> Proposal | None:
    """Evaluate the asset's live proposal, if any; returns it (whatever its status afterwards)."""
    proposal = ProposalRepository(ctx.session).live(asset.id)
    if proposal is not None:
        evaluate(ctx, asset, proposal)
    return proposal


def open_proposal(
    ctx: Ctx,
    asset: Asset,
    active: Contract,
    *,
    schema: dict[str, Any],
    source: Any,
    format: str,
    guarantees: dict[str, Any],
    fingerprint: str,
    verdict: Verdict,
    superseding: Proposal | None,
    affected: dict[uuid.UUID, Affected],
) -> Proposal:
    """Open a proposal (superseding the live one, whose answers carry over where the changes are the same).

    ``verdict`` and ``affected`` are what the caller has just computed against ``active`` under the lock.
    """
    proposal = Proposal(
        id=uuid.uuid4(),
        asset_id=asset.id,
        base_contract_id=active.id,
        base_version=active.version,
        schema_=schema,
        source=source,
        format=format,
        guarantees=guarantees,
        fingerprint=fingerprint,
        changes=verdict.changes,
        target_version=next_version(active.version, verdict.bump),
        status=ProposalStatus.OPEN,
        awaiting=[],
        blocking=[],
        expires_at=ctx.now + ctx.proposal_ttl(asset),
        proposed_by_team_id=ctx.actor.team_id if ctx.actor else None,
        proposed_key_id=ctx.actor.key_id if ctx.actor else None,
        created_at=ctx.now,
    )
    carried: list[Acknowledgment] = []
    if superseding is not None:
        # one live proposal per asset (unique partial index): the unit of work emits this UPDATE before
        # the INSERT of the new proposal
        set_status(ctx, asset, superseding, Event.SUPERSEDE, superseded_by=str(proposal.id))
        superseding.superseded_by_id = proposal.id
        carried = [a for a, _ in ProposalRepository(ctx.session).acks(superseding.id)]
    ctx.session.add(proposal)
    if carried:
        ctx.session.flush()  # the answers below refer to it (no relationship() tells the ORM the order)
    answers: list[Acknowledgment] = []
    for ack in carried:
        answers.append(
            Acknowledgment(
                id=uuid.uuid4(),
                proposal_id=proposal.id,
                team_id=ack.team_id,
                decision=ack.decision,
                note=ack.note,
                migration_deadline=ack.migration_deadline,
                changes_fingerprint=ack.changes_fingerprint,
                key_id=ack.key_id,
                acknowledged_at=ack.acknowledged_at,
            )
        )
    ctx.session.add_all(answers)
    record(
        ctx.session,
        ctx.actor,
        "proposal.opened",
        "proposal",
        proposal.id,
        asset=asset,
        payload={
            "base_version": active.version,
            "target_version": proposal.target_version,
            "changes": verdict.changes,
            "supersedes": str(superseding.id) if superseding else None,
        },
    )
    evaluate(ctx, asset, proposal, Judged(active, verdict, affected, answers))
    return proposal


def load(ctx: Ctx, proposal_id: uuid.UUID) -> tuple[Proposal, Asset]:
    """A proposal and its asset, the asset row-locked (all proposal decisions serialize per asset)."""
    proposal = ProposalRepository(ctx.session).get(proposal_id)
    if proposal is None:
        raise NotFound(f"proposal {proposal_id} does not exist", proposal_id=str(proposal_id))
    asset = ctx.session.get(Asset, proposal.asset_id)
    assert asset is not None
    locked = AssetRepository(ctx.session).get(asset.fqn, lock=True)
    assert locked is not None
    ctx.session.refresh(proposal)
    return proposal, locked


def acknowledge(ctx: Ctx, proposal_id: uuid.UUID, request: AcknowledgeRequest) -> Proposal:
    """Record the caller team's answer, then evaluate (the last consent publishes)."""
    assert ctx.actor is not None
    proposal, asset = load(ctx, proposal_id)
    status = evaluate(ctx, asset, proposal)
    if not status.live:
        raise Conflict(
            f"proposal {proposal_id} is {status}; it no longer takes acknowledgments",
            code="proposal_closed",
            status=str(status),
        )
    active = AssetRepository(ctx.session).active_contract(asset.id)
    verdict = Verdict(breaking=True, changes=proposal.changes, bump=Bump.MAJOR)
    mine = affected_for(ctx, asset, active, verdict).get(ctx.actor.team_id)
    if mine is None:
        raise Conflict(
            f"team '{ctx.actor.team_name}' is not an affected consumer of proposal {proposal_id}: it has no "
            f"registration on '{asset.fqn}' that reads a changed column (register first if it consumes it)",
            code="not_affected",
        )
    repo = ProposalRepository(ctx.session)
    ack = repo.ack_of(proposal.id, ctx.actor.team_id)
    if ack is None:
        ack = Acknowledgment(proposal_id=proposal.id, team_id=ctx.actor.team_id)
        ctx.session.add(ack)
    ack.decision = str(request.decision)
    ack.note = request.note
    ack.migration_deadline = request.migration_deadline
    ack.changes_fingerprint = mine.fingerprint
    ack.key_id = ctx.actor.key_id
    ack.acknowledged_at = ctx.now
    ctx.session.flush()
    record(
        ctx.session,
        ctx.actor,
        "proposal.acknowledged",
        "proposal",
        proposal.id,
        asset=asset,
        payload={
            "team": ctx.actor.team_name,
            "decision": str(request.decision),
            "note": request.note,
            "migration_deadline": request.migration_deadline.isoformat()
            if request.migration_deadline
            else None,
        },
    )
    evaluate(ctx, asset, proposal)
    return proposal


def withdraw(ctx: Ctx, proposal_id: uuid.UUID) -> Proposal:
    """Withdraw a live proposal (the asset's owner team, the proposing team, or an admin)."""
    assert ctx.actor is not None
    proposal, asset = load(ctx, proposal_id)
    if not ctx.actor.is_admin and ctx.actor.team_id not in (
        asset.owner_team_id,
        proposal.proposed_by_team_id,
    ):
        raise Forbidden(
            f"team '{ctx.actor.team_name}' may not withdraw a proposal on '{asset.fqn}': only its owner team or an admin"
        )
    evaluate(ctx, asset, proposal)
    set_status(ctx, asset, proposal, Event.WITHDRAW)
    return proposal


def force(ctx: Ctx, proposal_id: uuid.UUID, reason: str) -> Proposal:
    """Admin: publish a live proposal now, without the missing answers (audited with the reason)."""
    proposal, asset = load(ctx, proposal_id)
    if proposal.expires_at is not None and proposal.expires_at <= ctx.now:
        evaluate(ctx, asset, proposal)
    if not ProposalStatus(proposal.status).live:
        transition(proposal.status, Event.FORCE)  # raises 409 with the current status
    active, verdict = refresh(ctx, asset, proposal)
    skipped = {"awaiting": list(proposal.awaiting), "blocking": list(proposal.blocking)}
    if verdict is None:
        proposal.published_contract_id = active.id if active else None
        set_status(ctx, asset, proposal, Event.FORCE, reason=reason, already_active=True)
        return proposal
    publish_proposal(ctx, asset, proposal, Event.FORCE, verdict, reason=reason, skipped=skipped)
    proposal.reason = reason
    return proposal


def expire_due(ctx: Ctx) -> int:
    """Expire every live proposal past its deadline (the periodic sweep); returns how many."""
    return expire_due_ids(ctx, [pid for pid, _ in ProposalRepository(ctx.session).due(ctx.now)])


def expire_due_ids(ctx: Ctx, proposal_ids: list[uuid.UUID]) -> int:
    """Expire the given proposals if they are still live and past their deadline."""
    count = 0
    for proposal_id in proposal_ids:
        proposal, asset = load(ctx, proposal_id)
        if ProposalStatus(proposal.status).live and proposal.expires_at and proposal.expires_at <= ctx.now:
            set_status(ctx, asset, proposal, Event.EXPIRE, expires_at=proposal.expires_at.isoformat())
            count += 1
    return count
