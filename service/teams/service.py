"""Team and key management (admin)."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.audit.recorder import record
from service.auth import Principal, digest, generate_token
from service.errors import Conflict, NotFound, Unprocessable
from service.models import ApiKey, Team
from service.models.base import utcnow
from service.teams.repository import TeamRepository
from tessera_core.models import ApiKey as ApiKeyOut
from tessera_core.models import KeyCreate, KeyCreated, Scope


def require_team(session: Session, name: str, *, what: str = "team") -> Team:
    """The team called ``name`` or a 404 that says so."""
    team = TeamRepository(session).by_name(name)
    if team is None:
        raise NotFound(
            f"{what} '{name}' does not exist (create it with: tessera team create {name})", team=name
        )
    return team


def create_team(session: Session, actor: Principal | None, name: str) -> Team:
    """Create a team (409 if the name is taken)."""
    if TeamRepository(session).by_name(name) is not None:
        raise Conflict(f"team '{name}' already exists", team=name)
    team = Team(name=name)
    session.add(team)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"team '{name}' already exists", team=name) from exc
    record(session, actor, "team.created", "team", team.id, payload={"name": name})
    return team


def key_out(key: ApiKey, team_name: str) -> ApiKeyOut:
    """Wire form of a key (never the token)."""
    return ApiKeyOut(
        id=key.id,
        team=team_name,
        name=key.name,
        scopes=[Scope(s) for s in key.scopes],
        prefix=key.prefix,
        created_at=key.created_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
    )


def create_key(
    session: Session, actor: Principal | None, request: KeyCreate, *, token: str | None = None
) -> KeyCreated:
    """Create a key for a team; the token is returned here and never again."""
    team = require_team(session, request.team)
    if request.expires_at is not None and request.expires_at <= utcnow():
        raise Unprocessable("expires_at is in the past; give a future time (with a timezone)")
    token = token or generate_token()
    key = ApiKey(
        team_id=team.id,
        name=request.name,
        digest=digest(token),
        prefix=token[:10],
        scopes=sorted({str(s) for s in request.scopes}),
        expires_at=request.expires_at,
    )
    session.add(key)
    session.flush()
    record(
        session,
        actor,
        "key.created",
        "api_key",
        key.id,
        payload={"team": team.name, "scopes": key.scopes, "name": key.name},
    )
    return KeyCreated(**key_out(key, team.name).model_dump(), token=token)


def revoke_key(session: Session, actor: Principal, key_id: uuid.UUID) -> ApiKeyOut:
    """Revoke a key; it fails authentication from the next request on."""
    repo = TeamRepository(session)
    key = repo.key(key_id)
    if key is None:
        raise NotFound(f"API key {key_id} does not exist", key_id=str(key_id))
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(session, actor, "key.revoked", "api_key", key.id, payload={"prefix": key.prefix})
    return key_out(key, repo.names([key.team_id])[key.team_id])
