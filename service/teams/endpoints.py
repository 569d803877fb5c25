"""``/api/v1/teams`` and ``/api/v1/keys``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status

from service.deps import Admin, Reader, ReadSessionDep, SessionDep
from service.teams import service
from service.teams.repository import TeamRepository
from tessera_core.models import ApiKey, KeyCreate, KeyCreated, Team, TeamCreate

router = APIRouter(prefix="/api/v1", tags=["teams"])


@router.post("/teams", response_model=Team, status_code=status.HTTP_201_CREATED)
def create_team(body: TeamCreate, session: SessionDep, caller: Admin) -> Team:
    """Create a team (admin)."""
    return Team.model_validate(service.create_team(session, caller, body.name))


@router.get("/teams", response_model=list[Team])
def list_teams(session: ReadSessionDep, caller: Reader) -> list[Team]:
    """Every team."""
    return [Team.model_validate(t) for t in TeamRepository(session).all()]


@router.post("/keys", response_model=KeyCreated, status_code=status.HTTP_201_CREATED)
def create_key(body: KeyCreate, session: SessionDep, caller: Admin) -> KeyCreated:
    """Create an API key (admin). The token is in this answer only."""
    return service.create_key(session, caller, body)


@router.get("/keys", response_model=list[ApiKey])
def list_keys(session: ReadSessionDep, caller: Admin, team: str | None = Query(default=None)) -> list[ApiKey]:
    """API keys (admin), never their tokens."""
    repo = TeamRepository(session)
    team_id = service.require_team(session, team).id if team else None
    keys = repo.keys(team_id)
    names = repo.names(k.team_id for k in keys)
    return [service.key_out(k, names[k.team_id]) for k in keys]


@router.delete("/keys/{key_id}", response_model=ApiKey)
def revoke_key(key_id: uuid.UUID, session: SessionDep, caller: Admin) -> ApiKey:
    """Revoke an API key (admin)."""
    return service.revoke_key(session, caller, key_id)
