"""Judgement: classify structural changes per mode and build the compatibility report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tessera_core.compat.modes import accepts
from tessera_core.compat.rules import RULES
from tessera_core.diff.engine import diff_schemas
from tessera_core.diff.model import DiffRecord
from tessera_core.schema.jsonschema import normalize_jsonschema
from tessera_core.types import Bump, Mode, Relation, Severity

Policy = Literal["strict", "lenient"]
_POLICIES = ("strict", "lenient")


@dataclass(frozen=True, slots=True)
class Change:
    """One classified change between two schema versions.

    ``path`` is a JSON pointer into the (canonical) schema, e.g. ``/properties/amount/maxLength``;
    ``relation`` says how the set of valid documents changed at that place (old -> new).
    """

    rule: str
    path: str
    severity: Severity
    message: str
    relation: Relation
    old: Any = None
    new: Any = None

    @property
    def field(self) -> str | None:
        """The top-level property this change is about (``/properties/<name>/...``), else ``None``."""
        if not self.path.startswith("/properties/"):
            return None
        token = self.path[len("/properties/") :].split("/", 1)[0]
        return token.replace("~1", "/").replace("~0", "~")

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape used by the CLI and the HTTP API."""
        return {
            "rule": self.rule,
            "path": self.path,
            "severity": self.severity.value,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class CompatibilityReport:
    """The verdict for one schema change under one mode."""

    compatible: bool
    mode: Mode
    changes: tuple[Change, ...]
    suggested_bump: Bump

    @property
    def breaking_changes(self) -> tuple[Change, ...]:
        """The changes that violate the mode."""
        return tuple(c for c in self.changes if c.severity is Severity.BREAKING)

    def to_dict(self) -> dict[str, Any]:
        """``{"compatible", "mode", "suggested_bump", "changes": [{"rule","path","severity","message"}]}``."""
        return {
            "compatible": self.compatible,
            "mode": self.mode.value,
            "suggested_bump": self.suggested_bump.value,
            "changes": [change.to_dict() for change in self.changes],
        }


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _message(record: DiffRecord) -> str:
    name = record.path.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~") if record.path else "schema"
    template = RULES[record.kind].message
    return template.format(name=name, old=_show(record.old), new=_show(record.new))


def _allowed(record: DiffRecord, mode: Mode, policy: Policy) -> bool:
    if RULES[record.kind].tolerant and (policy == "lenient" or record.tolerant):
        return True
    return accepts(mode, record.relation)


def classify(record: DiffRecord, mode: Mode, policy: Policy = "strict") -> Change:
    """Turn a structural record into a :class:`Change` under ``mode``."""
    rule = RULES[record.kind]
    if not _allowed(record, mode, policy):
        severity = Severity.BREAKING
    elif mode.base is Mode.NONE and not _allowed(record, Mode.BACKWARD, policy):
        severity = Severity.DANGEROUS  # nothing breaks under none, but readers are still at risk
    else:
        severity = rule.severity
    return Change(
        record.kind, record.path, severity, _message(record), record.relation, record.old, record.new
    )


def _mode(mode: Mode | str) -> Mode:
    try:
        return Mode(mode)
    except ValueError:
        raise ValueError(
            f"unknown mode {mode!r}; expected one of {', '.join(m.value for m in Mode)}"
        ) from None


def _policy(policy: str) -> Policy:
    if policy not in _POLICIES:
        raise ValueError(f"unknown policy {policy!r}; expected 'strict' or 'lenient'")
    return policy  # type: ignore[return-value]


def _judge(old: dict[str, Any], new: dict[str, Any], mode: Mode, policy: Policy) -> CompatibilityReport:
    from tessera_core.versioning import suggest_bump

    records = diff_schemas(old, new)
    changes = tuple(classify(record, mode, policy) for record in records)
    compatible = not any(c.severity is Severity.BREAKING for c in changes)
    backward_breaking = any(not _allowed(r, Mode.BACKWARD, policy) for r in records)
    identical = not records and old == new  # identical schemas never have records
    bump = suggest_bump(
        changes, identical=identical, major=backward_breaking if mode.base is Mode.NONE else not compatible
    )
    return CompatibilityReport(compatible, mode, changes, bump)


def check_compatibility(
    old: Any, new: Any, mode: Mode | str = Mode.BACKWARD, *, policy: Policy = "strict"
) -> CompatibilityReport:
    """Judge the change from ``old`` to ``new``.

    ``old`` and ``new`` are JSON Schema documents (plain dicts or booleans, normalized first) or
    :class:`~tessera_core.schema.canonical_schema.CanonicalSchema` s (from ``normalize(...)``, or
    ``CanonicalSchema.trusted(...)`` for stored normalizer output), which are compared as they
    are: a caller holding canonical schemas pays for the structural diff only.
    ``backward``: every document valid under ``old`` must be valid under ``new``; ``forward``:
    the reverse; ``full``: both; ``none``: never incompatible (changes still classified).
    ``policy="lenient"`` judges property additions/removals and content-model changes as tolerant
    readers do (Confluent's LENIENT). Raises ``InvalidSchemaError`` for invalid schemas and
    ``ValueError`` for an unknown mode or policy.
    """
    return _judge(normalize_jsonschema(old), normalize_jsonschema(new), _mode(mode), _policy(policy))


def check_transitive_compatibility(
    history: Sequence[Any], new: Any, mode: Mode | str = Mode.BACKWARD, *, policy: Policy = "strict"
) -> CompatibilityReport:
    """Judge ``new`` against a version history (oldest first).

    Each schema is a JSON Schema document or a ``CanonicalSchema`` (not normalized again), as for
    :func:`check_compatibility`.

    Transitive modes judge against every earlier version, other modes only against the latest.
    The report lists the changes against the latest version plus any breaking change found only
    against older ones; it is compatible when every judged pair is.
    """
    if not history:
        raise ValueError("history must contain at least one earlier version")
    mode, policy = _mode(mode), _policy(policy)
    canonical_new = normalize_jsonschema(new)
    latest = _judge(normalize_jsonschema(history[-1]), canonical_new, mode, policy)
    if not mode.transitive or len(history) == 1:
        return latest
    changes = list(latest.changes)
    seen = {(c.rule, c.path) for c in changes}
    compatible = latest.compatible
    for earlier in reversed(history[:-1]):
        report = _judge(normalize_jsonschema(earlier), canonical_new, mode, policy)
        compatible &= report.compatible
        for change in report.breaking_changes:
            if (change.rule, change.path) not in seen:
                seen.add((change.rule, change.path))
                changes.append(change)
    bump = latest.suggested_bump if compatible else Bump.MAJOR
    return CompatibilityReport(compatible, mode, tuple(changes), bump)
