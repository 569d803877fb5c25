"""Enumerations of the coordination domain (values travel unchanged through JSON and the database)."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    """What an API key may do. ``admin`` implies ``write``, which implies ``read``."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


class ContractStatus(StrEnum):
    """Lifecycle of a contract version: one ``active`` per asset, older ones ``deprecated``."""

    ACTIVE = "active"
    DEPRECATED = "deprecated"
    RETIRED = "retired"


class ProposalStatus(StrEnum):
    """Where a proposal is in its life (the transition table lives in ``service.proposals.machine``).

    ``open`` and ``blocked`` are live; every other status is final. ``published`` means every affected
    consumer consented (or none was left) and the proposed contract became active.
    """

    OPEN = "open"
    BLOCKED = "blocked"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    FORCED = "forced"

    @property
    def live(self) -> bool:
        """Whether the proposal still awaits answers (``open`` or ``blocked``)."""
        return self in (ProposalStatus.OPEN, ProposalStatus.BLOCKED)


class Decision(StrEnum):
    """A consumer's answer to a proposal; ``approved`` and ``migrating`` count as consent."""

    APPROVED = "approved"
    MIGRATING = "migrating"
    BLOCKED = "blocked"

    @property
    def consents(self) -> bool:
        """Whether this answer lets the proposal publish."""
        return self is not Decision.BLOCKED


class RegistrationSource(StrEnum):
    """Where a consumer registration came from."""

    MANUAL = "manual"
    DBT = "dbt"
    DAGSTER = "dagster"
    AIRFLOW = "airflow"
    API = "api"


class PublishOutcome(StrEnum):
    """What a publish did (or, for a dry run, would do). ``error`` only appears per item of a bulk publish."""

    UNCHANGED = "unchanged"
    PUBLISHED = "published"
    PROPOSED = "proposed"
    FORCED = "forced"
    ERROR = "error"


class GateState(StrEnum):
    """Gate of an asset: ``clear`` (nothing pending), ``pending`` (an open proposal), ``blocked``."""

    CLEAR = "clear"
    PENDING = "pending"
    BLOCKED = "blocked"
