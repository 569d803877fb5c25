"""Who must acknowledge: affected consumers, computed from the registrations as they are now.

A team is affected when it is not the owner, one of its registrations on the asset is not pinned to
another major version than the active one, and that registration reads a column a breaking change touches
(a registration without columns reads everything; a change without a top-level field touches everyone).
Each affected team gets a fingerprint of the breaking changes that concern it: an answer counts only while
that fingerprint is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Consumer:
    """One registration, reduced to what the computation needs."""

    team_id: uuid.UUID
    team_name: str
    consumer_ref: str
    columns: tuple[str, ...] | None
    pinned_major: int | None


@dataclass
class Affected:
    """An affected team, its consumer references and the changes that concern it."""

    team_id: uuid.UUID
    team_name: str
    consumer_refs: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Identity of the changes this team is asked about."""
        keys = sorted({(c["rule"], c["path"]) for c in self.changes})
        return hashlib.sha256(json.dumps(keys).encode()).hexdigest()


def _concerns(change: dict[str, Any], columns: tuple[str, ...] | None) -> bool:
    return columns is None or change.get("field") is None or change["field"] in columns


def affected_consumers(
    consumers: Iterable[Consumer],
    *,
    owner_team_id: uuid.UUID | None,
    active_major: int | None,
    breaking_changes: Sequence[dict[str, Any]],
) -> dict[uuid.UUID, Affected]:
    """Affected teams by id (empty when nothing is breaking)."""
    result: dict[uuid.UUID, Affected] = {}
    if not breaking_changes:
        return result
    for consumer in consumers:
        if consumer.team_id == owner_team_id:
            continue
        if consumer.pinned_major is not None and consumer.pinned_major != active_major:
            continue
        relevant = [c for c in breaking_changes if _concerns(c, consumer.columns)]
        if not relevant:
            continue
        entry = result.setdefault(consumer.team_id, Affected(consumer.team_id, consumer.team_name))
        entry.consumer_refs.append(consumer.consumer_ref)
        known = {(c["rule"], c["path"]) for c in entry.changes}
        entry.changes.extend(c for c in relevant if (c["rule"], c["path"]) not in known)
    return result


def major_of(version: str | None) -> int | None:
    """Major number of a semver string."""
    if not version:
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None
