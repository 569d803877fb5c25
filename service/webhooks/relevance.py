"""Which teams an event concerns: the rule table behind "which events go to which subscription".

A team's subscription receives an event when the event concerns the team (and the event type matches);
an ``all_teams`` subscription (admin) receives every event. The rules, by event type (an exact type
overrides its group):

===========================  ===============================================================================
event                        concerns
===========================  ===============================================================================
``team.*``                   the team itself
``key.*``                    the key's team
``asset.*``                  the asset's owner team and every team registered on the asset
``asset.owner_changed``      the same, plus the previous and the new owner
``contract.*``               the asset's owner team and every team registered on the asset
``registration.*``           the asset's owner team and the registering (consumer) team
``proposal.*``               the asset's owner team and the proposal's affected consumer teams: those it
                             awaits or is blocked by, those that answered it, and those whose registrations
                             its breaking changes concern (column-aware, pinned majors respected)
``proposal.acknowledged``    the same, plus the answering team
===========================  ===============================================================================

Relevance is computed when the event is dispatched, normally within a poll interval of its commit, from
the state at that moment (owner, registrations, the proposal's consumers).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Acknowledgment, ApiKey, Asset, OutboxEvent, Proposal, Registration, Team
from service.proposals.consumers import Consumer, affected_consumers, major_of
from tessera_core.types import Severity


class Lookup:
    """What the rules read, cached for one dispatch round (one transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._assets: dict[str, Asset | None] = {}
        self._consumers: dict[uuid.UUID, list[tuple[Consumer, datetime]]] = {}
        self._teams: dict[str, uuid.UUID | None] = {}

    def asset(self, fqn: str | None) -> Asset | None:
        """The asset called ``fqn``."""
        if fqn is None:
            return None
        if fqn not in self._assets:
            self._assets[fqn] = self.session.scalar(select(Asset).where(Asset.fqn == fqn))
        return self._assets[fqn]

    def consumers(self, asset_id: uuid.UUID, at: datetime) -> list[Consumer]:
        """The registrations on an asset that existed at ``at``."""
        if asset_id not in self._consumers:
            rows = self.session.execute(
                select(Registration, Team.name)
                .join(Team, Team.id == Registration.team_id)
                .where(Registration.asset_id == asset_id)
            )
            self._consumers[asset_id] = [
                (
                    Consumer(
                        team_id=reg.team_id,
                        team_name=name,
                        consumer_ref=reg.consumer_ref,
                        columns=tuple(reg.columns) if reg.columns is not None else None,
                        pinned_major=reg.pinned_major,
                    ),
                    reg.first_seen,
                )
                for reg, name in rows
            ]
        return [c for c, first_seen in self._consumers[asset_id] if first_seen <= at]

    def team_ids(self, names: list[Any]) -> set[uuid.UUID]:
        """Ids of the teams called ``names`` (non-strings and unknown names are ignored)."""
        wanted = [n for n in names if isinstance(n, str)]
        missing = [n for n in wanted if n not in self._teams]
        if missing:
            found = dict(self.session.execute(select(Team.name, Team.id).where(Team.name.in_(missing))).all())
            self._teams.update({n: found.get(n) for n in missing})
        return {team_id for n in wanted if (team_id := self._teams[n]) is not None}

    def proposal(self, proposal_id: uuid.UUID) -> Proposal | None:
        """One proposal."""
        return self.session.get(Proposal, proposal_id)

    def answered(self, proposal_id: uuid.UUID, at: datetime) -> set[uuid.UUID]:
        """Teams that had acknowledged a proposal at ``at``."""
        return set(
            self.session.scalars(
                select(Acknowledgment.team_id).where(
                    Acknowledgment.proposal_id == proposal_id, Acknowledgment.acknowledged_at <= at
                )
            )
        )


Rule = Callable[[Lookup, OutboxEvent], set[uuid.UUID]]


def _entity_id(event: OutboxEvent) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(event.payload.get("entity_id")))
    except ValueError:
        return None


def owner(lookup: Lookup, event: OutboxEvent) -> set[uuid.UUID]:
    """The owner team of the event's asset."""
    asset = lookup.asset(event.fqn)
    return {asset.owner_team_id} if asset is not None and asset.owner_team_id is not None else set()


def registered(lookup: Lookup, event: OutboxEvent) -> set[uuid.UUID]:
    """Every team registered as a consumer of the event's asset."""
    asset = lookup.asset(event.fqn)
    if asset is None:
        return set()
    return {c.team_id for c in lookup.consumers(asset.id, event.created_at)}


def named(*keys: str) -> Rule:
    """The teams whose names the payload carries under ``keys``."""

    def rule(lookup: Lookup, event: OutboxEvent) -> set[uuid.UUID]:
        return lookup.team_ids([event.payload.get(k) for k in keys])

    rule.__name__ = f"named({', '.join(keys)})"
    return rule


def the_team(lookup: Lookup, event: OutboxEvent) -> set[uuid.UUID]:
    """The team the event is about (``team.*``)."""
    team_id = _entity_id(event)
    return {team_id} if team_id is not None and lookup.session.get(Team, team_id) is not None else set()


def key_team(lookup: Lookup, event: OutboxEvent) -> set[uuid.UUID]:
    """The team of the key the event is about (``key.*``)."""
    key_id = _entity_id(event)
    key = lookup.session.get(ApiKey, key_id) if key_id is not None else None
    return {key.team_id} if key is not None else set()


def proposal_consumers(lookup: Lookup, event: OutboxEvent) -> set[uuid.UUID]:
    """The affected consumer teams of the proposal the event is about."""
    proposal_id = _entity_id(event)
    proposal = lookup.proposal(proposal_id) if proposal_id is not None else None
    if proposal is None:
        return set()
    teams = lookup.answered(proposal.id, event.created_at)
    asset = lookup.asset(event.fqn)
    if asset is not None:
        breaking = [c for c in proposal.changes if c.get("severity") == Severity.BREAKING]
        teams |= set(
            affected_consumers(
                lookup.consumers(asset.id, event.created_at),
                owner_team_id=asset.owner_team_id,
                active_major=major_of(proposal.base_version),
                breaking_changes=breaking,
            )
        )
    return teams


RULES: dict[str, tuple[Rule, ...]] = {
    "team": (the_team,),
    "key": (key_team,),
    "asset": (owner, registered),
    "asset.owner_changed": (owner, registered, named("from", "to")),
    "contract": (owner, registered),
    "registration": (owner, named("team")),
    "proposal": (owner, proposal_consumers),
    "proposal.acknowledged": (owner, proposal_consumers, named("team")),
}
"""Rules by exact event type, else by group (the part before the dot). Unknown types concern no team."""


def concerned_teams(lookup: Lookup, event: OutboxEvent) -> set[uuid.UUID]:
    """Every team ``event`` concerns."""
    rules = RULES.get(event.event_type) or RULES.get(event.event_type.split(".", 1)[0], ())
    teams: set[uuid.UUID] = set()
    for rule in rules:
        teams |= rule(lookup, event)
    return teams
