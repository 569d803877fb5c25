"""``/api/v1/proposals`` and the gate reads (``/api/v1/assets/{fqn}/gate``, ``/api/v1/proposals/{id}/gate``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, BackgroundTasks, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.assets.repository import AssetRepository
from service.auth import authenticate
from service.context import Ctx
from service.db import Database
from service.deps import Admin, DatabaseDep, Reader, ReadSessionDep, SessionDep, SettingsDep, Writer
from service.errors import NotFound, Unprocessable
from service.models import Asset
from service.proposals import service
from service.proposals.repository import LIVE, ProposalRepository
from service.proposals.views import due_ids, etag_of, matches, proposal_out, with_lazy_expiry
from service.settings import Settings
from service.teams.service import require_team
from tessera_core.models import (
    AcknowledgeRequest,
    AssetGate,
    ForceRequest,
    GateState,
    Proposal,
    ProposalGate,
    ProposalStatus,
    ProposalSummary,
    Scope,
)

router = APIRouter(tags=["proposals"])
API = "/api/v1"

T = TypeVar("T")

GATE_STATE = {None: GateState.CLEAR, "open": GateState.PENDING, "blocked": GateState.BLOCKED}


def _read_gate(
    request: Request, background: BackgroundTasks, compute: Callable[[Session], tuple[T, list[uuid.UUID]]]
) -> T:
    """Authenticate (``read``) and compute a gate in ONE read session, on one worker thread.

    Gate reads are what sensors poll: they skip the per-dependency thread hops and the second session of
    the generic dependencies, and give their connection back before the answer is sent.
    """
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    with db.session(write=False) as session:
        authenticate(request, background, session).require(Scope.READ)
        return with_lazy_expiry(db, settings, session, lambda: compute(session))


def _conditional(body: AssetGate | ProposalGate, if_none_match: str | None) -> Response:
    payload = body.model_dump(mode="json", by_alias=True, exclude={"etag", "not_modified"})
    etag = etag_of(payload)
    headers = {"ETag": f'"{etag}"', "Cache-Control": "no-cache"}
    if matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return JSONResponse({**payload, "etag": etag, "not_modified": False}, headers=headers)


def _asset_gate(session: Session, fqn: str) -> tuple[AssetGate, list[uuid.UUID]]:
    row = ProposalRepository(session).asset_gate_row(fqn)
    if row is None:
        raise NotFound(f"asset '{fqn}' does not exist", fqn=fqn)
    proposal = None
    if row.proposal_id is not None:
        proposal = ProposalSummary(
            id=row.proposal_id,
            fqn=row.fqn,
            status=ProposalStatus(row.status),
            base_version=row.base_version,
            target_version=row.target_version,
            created_at=row.created_at,
            expires_at=row.expires_at,
            awaiting=row.awaiting,
            blocking=row.blocking,
        )
    gate = AssetGate(
        fqn=row.fqn, state=GATE_STATE[row.status], active_version=row.active_version, proposal=proposal
    )
    return gate, due_ids([(row.proposal_id, row.status, row.expires_at)])


def _proposal_gate(session: Session, proposal_id: uuid.UUID) -> tuple[ProposalGate, list[uuid.UUID]]:
    row = ProposalRepository(session).proposal_gate_row(proposal_id)
    if row is None:
        raise NotFound(f"proposal {proposal_id} does not exist", proposal_id=str(proposal_id))
    gate = ProposalGate(
        id=row.id,
        fqn=row.fqn,
        status=ProposalStatus(row.status),
        awaiting=row.awaiting,
        blocking=row.blocking,
        published_version=row.published_version,
        active_version=row.active_version,
    )
    return gate, due_ids([(row.id, row.status, row.expires_at)])


@router.get(
    API + "/assets/{fqn:path}/gate",
    response_model=AssetGate,
    responses={304: {"description": "unchanged since the ETag in If-None-Match"}},
)
async def asset_gate(
    fqn: str, request: Request, background: BackgroundTasks, if_none_match: str | None = Header(default=None)
) -> Response:
    """Gate of an asset: ``clear``, ``pending`` (open proposal) or ``blocked``; one indexed query, ETag-aware.

    Needs a key with the ``read`` scope.
    """
    gate = await run_in_threadpool(_read_gate, request, background, lambda s: _asset_gate(s, fqn))
    return _conditional(gate, if_none_match)


@router.get(
    API + "/proposals/{proposal_id}/gate",
    response_model=ProposalGate,
    responses={304: {"description": "unchanged since the ETag in If-None-Match"}},
)
async def proposal_gate(
    proposal_id: uuid.UUID,
    request: Request,
    background: BackgroundTasks,
    if_none_match: str | None = Header(default=None),
) -> Response:
    """Where one proposal is and whom it waits for (for sensors); one query, ETag-aware.

    Needs a key with the ``read`` scope.
    """
    gate = await run_in_threadpool(_read_gate, request, background, lambda s: _proposal_gate(s, proposal_id))
    return _conditional(gate, if_none_match)


@router.get(API + "/proposals", response_model=list[Proposal])
def list_proposals(
    session: ReadSessionDep,
    caller: Reader,
    db: DatabaseDep,
    settings: SettingsDep,
    awaiting: str | None = Query(default=None, description="team name: proposals waiting for its answer"),
    asset: str | None = Query(default=None, description="asset FQN"),
    status: str | None = Query(
        default=None, description="open, blocked, published, superseded, withdrawn, expired, forced or live"
    ),
    limit: int = Query(default=200, ge=1, le=5000),
) -> list[Proposal]:
    """Proposals, newest first. ``awaiting=TEAM`` is the team's inbox."""
    statuses: list[str] | None = None
    if status == "live":
        statuses = list(LIVE)
    elif status is not None:
        try:
            statuses = [str(ProposalStatus(status))]
        except ValueError:
            allowed = ", ".join([*ProposalStatus, "live"])
            raise Unprocessable(
                f"status: unknown proposal status '{status}'; use one of: {allowed}"
            ) from None
    if awaiting is not None and statuses is None:
        statuses = list(LIVE)

    def compute() -> tuple[list[Proposal], list[uuid.UUID]]:
        asset_id = None
        if asset is not None:
            found = AssetRepository(session).get(asset)
            if found is None:
                raise NotFound(f"asset '{asset}' does not exist", fqn=asset)
            asset_id = found.id
        team_id = require_team(session, awaiting).id if awaiting else None
        rows = ProposalRepository(session).search(
            asset_id=asset_id, statuses=statuses, consumer_team_id=team_id, limit=limit
        )
        if awaiting is not None:
            rows = [(p, fqn) for p, fqn in rows if awaiting in p.awaiting]
        due = due_ids([(p.id, p.status, p.expires_at) for p, _ in rows])
        return [proposal_out(session, p, fqn) for p, fqn in rows], due

    return with_lazy_expiry(db, settings, session, compute)


@router.get(API + "/proposals/{proposal_id}", response_model=Proposal)
def get_proposal(
    proposal_id: uuid.UUID, session: ReadSessionDep, caller: Reader, db: DatabaseDep, settings: SettingsDep
) -> Proposal:
    """One proposal, with its consumers and their answers."""

    def compute() -> tuple[Proposal, list[uuid.UUID]]:
        proposal = ProposalRepository(session).get(proposal_id)
        if proposal is None:
            raise NotFound(f"proposal {proposal_id} does not exist", proposal_id=str(proposal_id))
        fqn = session.get_one(Asset, proposal.asset_id).fqn
        return proposal_out(session, proposal, fqn), due_ids(
            [(proposal.id, proposal.status, proposal.expires_at)]
        )

    return with_lazy_expiry(db, settings, session, compute)


def _after(session: SessionDep, proposal_id: uuid.UUID) -> Proposal:
    proposal = ProposalRepository(session).get(proposal_id)
    assert proposal is not None
    return proposal_out(session, proposal, session.get_one(Asset, proposal.asset_id).fqn)


@router.post(API + "/proposals/{proposal_id}/acknowledge", response_model=Proposal)
def acknowledge(
    proposal_id: uuid.UUID,
    body: AcknowledgeRequest,
    session: SessionDep,
    caller: Writer,
    settings: SettingsDep,
) -> Proposal:
    """Answer a proposal for the caller's team; the last consent publishes it (re-checked against the active contract)."""
    service.acknowledge(Ctx(session, caller, settings), proposal_id, body)
    return _after(session, proposal_id)


@router.post(API + "/proposals/{proposal_id}/withdraw", response_model=Proposal)
def withdraw(proposal_id: uuid.UUID, session: SessionDep, caller: Writer, settings: SettingsDep) -> Proposal:
    """Withdraw a live proposal (its asset's owner team or an admin)."""
    service.withdraw(Ctx(session, caller, settings), proposal_id)
    return _after(session, proposal_id)


@router.post(API + "/proposals/{proposal_id}/force", response_model=Proposal)
def force(
    proposal_id: uuid.UUID, body: ForceRequest, session: SessionDep, caller: Admin, settings: SettingsDep
) -> Proposal:
    """Admin: publish a live proposal without the missing acknowledgments (audited with the reason)."""
    service.force(Ctx(session, caller, settings), proposal_id, body.reason)
    return _after(session, proposal_id)
