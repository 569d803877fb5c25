"""The lineage walk: one recursive CTE (``WITH RECURSIVE``, portable to SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import ARRAY, Uuid, any_, bindparam, func, literal, select, true
from sqlalchemy.orm import Session

from service.models import Asset, LineageEdge, Registration, Team


def downstream(
    session: Session, root_id: uuid.UUID, *, max_depth: int, exclude_first_hop: Collection[uuid.UUID] = ()
) -> list[tuple[uuid.UUID, str, int, uuid.UUID | None]]:
    """(asset id, fqn, shortest depth, owner team id) of every asset downstream of ``root_id``.

    One recursive CTE over (asset, depth) pairs, so each asset is expanded at most once per depth. On
    PostgreSQL each step follows the edges of the previous step's assets through the
    ``(upstream_id, downstream_id)`` primary-key index (a ``LATERAL`` subquery, fenced with ``OFFSET 0``):
    the planner cannot estimate a recursive working table and would otherwise scan every edge on every
    step (merge join). (The service's connections run without JIT: see ``service.db``.)
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    seed = select(LineageEdge.downstream_id.label("id"), literal(1).label("depth")).where(
        LineageEdge.upstream_id == root_id
    )
    if exclude_first_hop:
        seed = seed.where(LineageEdge.downstream_id.not_in(list(exclude_first_hop)))
    walk = seed.cte("downstream", recursive=True)
    if postgres:
        edges = (
            select(LineageEdge.downstream_id)
            .where(LineageEdge.upstream_id == walk.c.id)
            .offset(0)
            .lateral("next_edges")
        )
        step = (
            select(edges.c.downstream_id, (walk.c.depth + 1).label("depth"))
            .select_from(walk)
            .join(edges, true())
            .where(walk.c.depth < max_depth)
        )
    else:  # SQLite plans the join below as index lookups on its own
        step = (
            select(LineageEdge.downstream_id, (walk.c.depth + 1).label("depth"))
            .join(walk, LineageEdge.upstream_id == walk.c.id)
            .where(walk.c.depth < max_depth)
        )
    walk = walk.union(step)
    # shortest depth per asset first (narrow rows: the aggregate stays in memory), then the asset columns
    shortest = (
        select(walk.c.id, func.min(walk.c.depth).label("depth")).group_by(walk.c.id).subquery("shortest")
    )
    query = (
        select(Asset.id, Asset.fqn, shortest.c.depth, Asset.owner_team_id)
        .join(shortest, shortest.c.id == Asset.id)
        .where(Asset.id != root_id)
        .order_by(shortest.c.depth, Asset.fqn)
    )
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(query)]


def consumer_teams(session: Session, asset_ids: Collection[uuid.UUID]) -> set[str]:
    """Names of teams registered on any of ``asset_ids``."""
    if not asset_ids:
        return set()
    names: set[str] = set()
    ids = list(asset_ids)
    if session.get_bind().dialect.name == "postgresql":  # one array parameter instead of chunks of IN lists
        query = (
            select(Team.name)
            .join(Registration, Registration.team_id == Team.id)
            .where(Registration.asset_id == any_(bindparam("ids", ids, type_=ARRAY(Uuid()))))
            .distinct()
        )
        return set(session.scalars(query))
    for start in range(0, len(ids), 1000):
        query = (
            select(Team.name)
            .join(Registration, Registration.team_id == Team.id)
            .where(Registration.asset_id.in_(ids[start : start + 1000]))
            .distinct()
        )
        names.update(session.scalars(query))
    return names
