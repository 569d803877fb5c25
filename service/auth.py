"""API-key authentication: random tokens, SHA-256 digests looked up by digest, team-bound scopes.

A token is 256 random bits; hashing it with SHA-256 is enough (no slow password hash per request). The
digest has a unique index, so a lookup is one indexed query whatever the number of keys. ``last_used_at``
is written at most once a minute per key, after the response.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import BackgroundTasks, Request
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.errors import Forbidden, Unauthenticated
from service.models import ApiKey, Team
from service.models.base import utcnow
from tessera_core.models import Scope

TOKEN_PREFIX = "tsk_"
LAST_USED_RESOLUTION = timedelta(minutes=1)

IMPLIED: dict[Scope, frozenset[Scope]] = {
    Scope.READ: frozenset({Scope.READ}),
    Scope.WRITE: frozenset({Scope.READ, Scope.WRITE}),
    Scope.ADMIN: frozenset({Scope.READ, Scope.WRITE, Scope.ADMIN}),
}
"""A scope grants itself and the scopes below it."""


def generate_token() -> str:
    """A new random API token (shown once)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """SHA-256 hex digest of a token: what the database stores."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's team, the key, its effective scopes and the user agent."""

    team_id: uuid.UUID
    team_name: str
    key_id: uuid.UUID | None
    scopes: frozenset[Scope]
    user_agent: str | None = None

    @property
    def is_admin(self) -> bool:
        """Whether the key has the admin scope."""
        return Scope.ADMIN in self.scopes

    def require(self, scope: Scope) -> None:
        """Raise 403 unless the key has ``scope``."""
        if scope not in self.scopes:
            have = ", ".join(sorted(self.scopes)) or "none"
            raise Forbidden(
                f"this operation needs the '{scope}' scope; the key has: {have}",
                required_scope=str(scope),
            )

    def require_team(self, team_id: uuid.UUID | None, team_name: str | None, action: str) -> None:
        """Raise 403 unless the caller acts for ``team`` (or is admin)."""
        if self.is_admin or team_id == self.team_id:
            return
        raise Forbidden(
            f"team '{self.team_name}' may not {action}: that belongs to team '{team_name}' "
            "(use a key of that team, or an admin key)",
            caller_team=self.team_name,
            required_team=team_name,
        )


def effective_scopes(scopes: list[str]) -> frozenset[Scope]:
    """The scopes a key's stored scopes grant."""
    granted: set[Scope] = set()
    for scope in scopes:
        granted |= IMPLIED[Scope(scope)]
    return frozenset(granted)


def _token_from(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("the Authorization header must be 'Bearer <api key>'")
        return token.strip()
    return request.headers.get("x-api-key")


_KEY_BY_DIGEST = (
    select(ApiKey, Team.name)
    .join(Team, Team.id == ApiKey.team_id)
    .where(ApiKey.digest == bindparam("digest"))
)
"""The one indexed query of authentication (built once: it runs on every request)."""


def authenticate(request: Request, background: BackgroundTasks, session: Session | None = None) -> Principal:
    """Resolve the API key of the request into a :class:`Principal` (401 when it cannot).

    ``session``: a read session the caller has open anyway (gate reads), saving a second one.
    """
    token = _token_from(request)
    if not token:
        raise Unauthenticated(
            "missing API key: send 'Authorization: Bearer <key>' (tessera key create prints one)"
        )
    db = request.app.state.db
    now = utcnow()
    if session is not None:
        row = session.execute(_KEY_BY_DIGEST, {"digest": digest(token)}).first()
    else:
        with db.session(write=False) as own:
            row = own.execute(_KEY_BY_DIGEST, {"digest": digest(token)}).first()
    if row is None:
        raise Unauthenticated("unknown API key (check TESSERA_API_KEY / the key you pass)")
    key, team_name = row
    if key.revoked_at is not None:
        raise Unauthenticated(f"API key {key.prefix}… was revoked at {key.revoked_at.isoformat()}")
    if key.expires_at is not None and key.expires_at <= now:
        raise Unauthenticated(f"API key {key.prefix}… expired at {key.expires_at.isoformat()}")
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        background.add_task(_touch, db, key.id)
    return Principal(
        team_id=key.team_id,
        team_name=team_name,
        key_id=key.id,
        scopes=effective_scopes(key.scopes),
        user_agent=request.headers.get("user-agent"),
    )


def _touch(db: object, key_id: uuid.UUID) -> None:
    """Record use of a key, at most once per minute (best effort)."""
    from service.db import Database

    assert isinstance(db, Database)
    now = utcnow()
    threshold: datetime = now - LAST_USED_RESOLUTION
    try:
        with db.session() as session:
            session.execute(
                update(ApiKey)
                .where(ApiKey.id == key_id)
                .where(or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < threshold))
                .values(last_used_at=now)
            )
    except SQLAlchemyError:  # pragma: no cover - bookkeeping must never fail a request
        pass
