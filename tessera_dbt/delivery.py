"""Send a collected project payload to Tessera and describe what happened, model by model.

Used by the dbt plugin (which prints the lines as dbt log events and fails the operation with
``Report.failure``) and by the ``tessera dbt`` CLI (which prints them and exits with ``Report.exit_code``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tessera_core.client.errors import AuthenticationError, ServiceUnavailableError, TesseraAPIError
from tessera_core.errors import TesseraError
from tessera_core.models import ProposalStatus, PublishOutcome, PublishResult
from tessera_dbt.errors import TesseraDbtError
from tessera_dbt.items import PublishPlan, build_publish_plan, build_register_plan
from tessera_dbt.records import ModelRecord, ProjectPayload, parse_payload
from tessera_dbt.settings import ENV_API_KEY, ENV_URL, client_from_env

if TYPE_CHECKING:
    from tessera_core.client import TesseraClient

EXIT_OK = 0
EXIT_FAILED = 1  # a model failed, or a change is not cleared (check / gate)
EXIT_ERROR = 2  # nothing could be done: configuration, unreachable service, bad key, bad project
EXIT_PROPOSED = 3  # fail_on_proposal and a change became a proposal

CLEARED_PROPOSALS = frozenset({ProposalStatus.PUBLISHED, ProposalStatus.FORCED})
MAX_CHANGES_SHOWN = 5
MAX_UNCHANGED_LISTED = 50


@dataclass
class Outcome:
    """What happened (or would happen) to one model or registration."""

    subject: str
    fqn: str
    status: str
    detail: str = ""
    ok: bool = True
    version: str | None = None
    proposal_id: str | None = None
    awaiting: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One summary line, with the first classified changes under it."""
        text = f"  {self.status:<15} {self.subject} -> {self.fqn}"
        text += f"  {self.detail}" if self.detail else ""
        shown = self.changes[:MAX_CHANGES_SHOWN]
        more = len(self.changes) - len(shown)
        extra = [f"      - {c}" for c in shown] + ([f"      ... and {more} more"] if more > 0 else [])
        return "\n".join([text, *extra])


@dataclass
class Report:
    """The result of one operation: summary lines, per-model outcomes, exit code and failure text."""

    command: str
    project: str = ""
    dry_run: bool = False
    header: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    exit_code: int = EXIT_OK
    failure: str | None = None

    @property
    def lines(self) -> list[str]:
        """Human summary, in print order."""
        out = [self.header] if self.header else []
        out += [f"  warning: {w}" for w in self.warnings]
        quiet = [o for o in self.outcomes if o.status == "unchanged" and o.ok]
        hidden = {id(o) for o in quiet} if len(quiet) > MAX_UNCHANGED_LISTED else set()
        listed = [o for o in self.outcomes if id(o) not in hidden]
        out += [o.line() for o in listed]
        if len(listed) < len(self.outcomes):
            out.append(f"  {'unchanged':<15} {len(quiet)} more model(s), not listed (--json lists them)")
        out += [f"  error: {e}" for e in self.errors]
        if self.outcomes or self.errors:
            out.append(self.totals())
        if self.failure:
            out.append(self.failure)
        return out

    def totals(self) -> str:
        """One line counting outcomes by status, e.g. ``Totals: 2 published, 1 proposed, 5 unchanged``."""
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        if self.errors:
            counts["error"] = counts.get("error", 0) + len(self.errors)
        return "Totals: " + ", ".join(f"{n} {status}" for status, n in counts.items())

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``tessera dbt ... --json``)."""
        return {
            "command": self.command,
            "project": self.project,
            "dry_run": self.dry_run,
            "exit_code": self.exit_code,
            "failure": self.failure,
            "warnings": self.warnings,
            "errors": self.errors,
            "models": [
                {
                    "subject": o.subject,
                    "fqn": o.fqn,
                    "status": o.status,
                    "ok": o.ok,
                    "detail": o.detail,
                    "version": o.version,
                    "proposal_id": o.proposal_id,
                    "awaiting": o.awaiting,
                    "changes": o.changes,
                }
                for o in self.outcomes
            ],
        }


def _verb(payload: ProjectPayload) -> str:
    return "tessera_gate" if payload.command == "gate" else f"tessera_{payload.command}"


def _plan_report(payload: ProjectPayload, plan: PublishPlan, header: str) -> Report:
    report = Report(payload.command, payload.project, header=header)
    report.warnings = [str(p) for p in plan.problems if not p.error]
    report.errors = [str(p) for p in plan.errors]
    return report


def _proposal_detail(result: PublishResult) -> str:
    awaiting = ", ".join(result.awaiting) or "nobody"
    target = f" for {result.target_version}" if result.target_version else ""
    return f"proposal {result.proposal_id}{target}, awaiting acknowledgment from {awaiting}"


def _publish_outcome(model: ModelRecord, result: PublishResult, dry_run: bool) -> Outcome:
    outcome = Outcome(
        model.display_name,
        result.fqn,
        result.outcome.value,
        version=result.version,
        proposal_id=str(result.proposal_id) if result.proposal_id else None,
        awaiting=list(result.awaiting),
        changes=[c.message for c in result.changes if c.severity != "safe"],
    )
    if result.outcome is PublishOutcome.ERROR:
        outcome.ok = False
        outcome.detail = result.error.message if result.error else result.message
    elif result.outcome is PublishOutcome.PROPOSED:
        outcome.detail = _proposal_detail(result)
        if dry_run:
            outcome.status = "needs proposal"
    elif result.outcome is PublishOutcome.PUBLISHED:
        outcome.status = "would publish" if dry_run else "published"
        was = f" (was {result.previous_version})" if result.previous_version else " (first version)"
        outcome.detail = (
            f"{result.target_version or result.version}{was}" if dry_run else f"{result.version}{was}"
        )
    else:
        outcome.detail = f"{result.version}" if result.version else ""
    return outcome


class Connection:
    """The client, created from the environment only when there is something to send (so a gate over
    models Tessera does not manage needs no TESSERA_URL)."""

    def __init__(self, client: TesseraClient | None = None) -> None:
        self._client = client
        self._owned = client is None

    def get(self) -> TesseraClient:
        """The client (created on first use)."""
        if self._client is None:
            self._client = client_from_env()
        return self._client

    def close(self) -> None:
        """Close the client if this connection created it."""
        if self._owned and self._client is not None:
            self._client.close()


def _send_publish(
    client: Connection, plan: PublishPlan, dry_run: bool
) -> list[tuple[ModelRecord, PublishResult]]:
    if not plan.items:
        return []
    answer = client.get().bulk_publish(plan.items, dry_run=dry_run)
    return list(zip(plan.models, answer.results, strict=True))


def _publish(payload: ProjectPayload, client: Connection) -> Report:
    dry_run = bool(payload.option("dry_run", False))
    plan = build_publish_plan(payload)
    mode = "dry run of " if dry_run else ""
    report = _plan_report(
        payload, plan, f"Tessera {mode}publish of dbt project {payload.project}: {len(plan.items)} model(s)"
    )
    report.dry_run = dry_run
    report.outcomes = [_publish_outcome(m, r, dry_run) for m, r in _send_publish(client, plan, dry_run)]
    failed = [o for o in report.outcomes if not o.ok]
    proposed = [o for o in report.outcomes if o.status in ("proposed", "needs proposal")]
    register = payload.option("register", payload.vars.get("register_on_publish"))
    if register and not dry_run:
        registered = _register(payload, client)
        report.outcomes += registered.outcomes
        report.errors += registered.errors
    if report.errors or failed:
        report.exit_code = EXIT_FAILED
        report.failure = (
            f"{_verb(payload)}: {len(report.errors) + len(failed)} model(s) failed; see the errors above"
        )
    elif proposed and payload.option("fail_on_proposal", False):
        report.exit_code = EXIT_PROPOSED
        report.failure = (
            f"{_verb(payload)}: {len(proposed)} breaking change(s) became proposals and fail_on_proposal is set: "
            + "; ".join(f"{o.subject} ({o.detail})" for o in proposed)
        )
    return report


def _check_outcome(model: ModelRecord, result: PublishResult) -> Outcome:
    outcome = _publish_outcome(model, result, dry_run=True)
    if result.outcome is not PublishOutcome.PROPOSED:
        return outcome
    if result.proposal_status in CLEARED_PROPOSALS:
        outcome.status = "approved"
        outcome.detail = f"proposal {result.proposal_id} was {result.proposal_status.value}"
        return outcome
    outcome.ok = False
    if result.proposal_id and result.proposal_status is not None:
        outcome.status = f"{result.proposal_status.value} proposal"
        outcome.detail = _proposal_detail(result)
    else:
        awaiting = ", ".join(result.awaiting) or "its consumers"
        outcome.detail = (
            f"breaking for {awaiting}; no proposal yet (dbt run-operation tessera_publish opens one)"
        )
    return outcome


def _check(payload: ProjectPayload, client: Connection) -> Report:
    plan = build_publish_plan(payload)
    what = "gate" if payload.command == "gate" else "check"
    report = _plan_report(
        payload, plan, f"Tessera {what} of dbt project {payload.project}: {len(plan.items)} model(s)"
    )
    report.dry_run = True
    report.outcomes = [_check_outcome(m, r) for m, r in _send_publish(client, plan, dry_run=True)]
    blocked = [o for o in report.outcomes if not o.ok]
    if report.errors or blocked:
        report.exit_code = EXIT_FAILED
        report.failure = (
            f"{_verb(payload)}: {len(blocked) + len(report.errors)} model(s) are not cleared to ship: "
            + "; ".join([f"{o.subject}: {o.status}, {o.detail}" for o in blocked] + report.errors)
        )
    return report


def _register(payload: ProjectPayload, client: Connection) -> Report:
    plan = build_register_plan(payload)
    report = Report(
        "register",
        payload.project,
        header=f"Tessera register of dbt project {payload.project}: {len(plan.items)} registration(s)",
    )
    report.errors = [str(p) for p in plan.problems if p.error]
    registrations = client.get().bulk_register(plan.items) if plan.items else []
    for registration in registrations:
        columns = f"columns {', '.join(registration.columns)}" if registration.columns else "all columns"
        report.outcomes.append(
            Outcome(
                registration.consumer_ref,
                registration.fqn,
                "registered",
                f"team {registration.team}, {columns}",
            )
        )
    if report.errors:
        report.exit_code = EXIT_FAILED
        report.failure = f"tessera_register: {len(report.errors)} model(s) could not be registered; see above"
    return report


HANDLERS: dict[str, Callable[[ProjectPayload, Connection], Report]] = {
    "publish": _publish,
    "check": _check,
    "gate": _check,
    "register": _register,
}


def explain_error(exc: TesseraError) -> str:
    """One actionable sentence for an error that stopped the whole operation."""
    if isinstance(exc, AuthenticationError):
        return (
            f"Tessera rejected the API key (401 {exc.code}: {exc.message}); set {ENV_API_KEY} to a valid, "
            "unexpired key of your team"
        )
    if isinstance(exc, ServiceUnavailableError):
        return f"{exc.message}; check {ENV_URL} and that the service is up"
    if isinstance(exc, TesseraAPIError):
        return f"Tessera answered {exc.status} {exc.code}: {exc.message}"
    return str(exc)


def deliver(raw_payload: Mapping[str, Any], client: TesseraClient | None = None) -> Report:
    """Run the command a payload carries against Tessera (a client from the environment by default)."""
    command = str(raw_payload.get("command", "?"))
    try:
        payload = parse_payload(raw_payload)
        connection = Connection(client)
        try:
            return HANDLERS[payload.command](payload, connection)
        finally:
            connection.close()
    except (TesseraDbtError, TesseraError, ValueError) as exc:
        verb = "tessera_gate" if command == "gate" else f"tessera_{command}"
        message = explain_error(exc) if isinstance(exc, TesseraError) else str(exc)
        return Report(
            command, str(raw_payload.get("project", "")), exit_code=EXIT_ERROR, failure=f"{verb}: {message}"
        )
