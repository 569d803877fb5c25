"""The lineage walk: one recursive CTE (``WITH RECURSIVE``, portable to SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from service.models import Asset, LineageEdge, Registration, Team


def downstream(
    session: Session, root_id: uuid.UUID, *, max_depth: int, exclude_first_hop: Collection[uuid.UUID] = ()
) -> list[tuple[uuid.UUID, str, int, uuid.UUID | None]]:
    """(asset id, fqn, shortest depth, owner team id) of every asset downstream of ``root_id``."""
    seed = select(LineageEdge.downstream_id.label("id"), literal(1).label("depth")).where(
        LineageEdge.upstream_id == root_id
    )
    if exclude_first_hop:
        seed = seed.where(LineageEdge.downstream_id.not_in(list(exclude_first_hop)))
    walk = seed.cte("downstream", recursive=True)
    step = (
        select(LineageEdge.downstream_id, (walk.c.depth + 1).label("depth"))
        .join(walk, LineageEdge.upstream_id == walk.c.id)
        .where(walk.c.depth < max_depth)
    )
    walk = walk.union(step)
    query = (
        select(Asset.id, Asset.fqn, func.min(walk.c.depth).label("depth"), Asset.owner_team_id)
        .join(walk, walk.c.id == Asset.id)
        .where(Asset.id != root_id)
        .group_by(Asset.id, Asset.fqn, Asset.owner_team_id)
        .order_by(func.min(walk.c.depth), Asset.fqn)
    )
    return [(r.id, r.fqn, r.depth, r.owner_team_id) for r in session.execute(query)]


def consumer_teams(session: Session, asset_ids: Collection[uuid.UUID]) -> set[str]:
    """Names of teams registered on any of ``asset_ids``."""
    if not asset_ids:
        return set()
    names: set[str] = set()
    ids = list(asset_ids)
    for start in range(0, len(ids), 1000):
        query = (
            select(Team.name)
            .join(Registration, Registration.team_id == Team.id)
            .where(Registration.asset_id.in_(ids[start : start + 1000]))
            .distinct()
        )
        names.update(session.scalars(query))
    return names
