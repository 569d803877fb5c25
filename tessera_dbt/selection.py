"""Which models an operation acts on: opt-in (contract or meta.tessera.publish) and ``select``.

``select`` is a small, dbt-like grammar shared by the macros' ``--args`` and ``tessera dbt --select``:
terms separated by spaces or commas, a model is selected when any term matches. A term is a model
name or ``name.v2`` (shell-style wildcards allowed), a unique_id, or ``tag:``, ``group:``, ``path:``
(prefix), ``access:`` or ``package:``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tessera_dbt.errors import ConfigurationError
from tessera_dbt.records import ModelRecord

Matcher = Callable[[ModelRecord, str], bool]


def _match_name(model: ModelRecord, pattern: str) -> bool:
    return any(
        fnmatch.fnmatchcase(candidate, pattern)
        for candidate in (model.name, model.display_name, model.unique_id)
    )


TERM_MATCHERS: dict[str, Matcher] = {
    "tag": lambda model, value: any(fnmatch.fnmatchcase(tag, value) for tag in model.tags),
    "group": lambda model, value: model.group == value,
    "path": lambda model, value: model.path.startswith(value.rstrip("/")),
    "access": lambda model, value: model.access == value,
    "package": lambda model, value: model.package_name == value,
}


def parse_select(select: str | Sequence[str] | None) -> list[str]:
    """Split a ``select`` value (string or list) into terms; empty means everything."""
    if select is None:
        return []
    raw: Iterable[str] = [select] if isinstance(select, str) else [str(s) for s in select]
    return [term for chunk in raw for term in re.split(r"[\s,]+", chunk) if term]


def _matches(model: ModelRecord, term: str) -> bool:
    method, sep, value = term.partition(":")
    if not sep:
        return _match_name(model, term)
    if method not in TERM_MATCHERS:
        raise ConfigurationError(
            f"select: unknown method {method!r} in {term!r}; use a model name or one of "
            + ", ".join(f"{m}:" for m in TERM_MATCHERS)
        )
    return TERM_MATCHERS[method](model, value)


def select_models(
    models: Iterable[ModelRecord],
    select: str | Sequence[str] | None,
    selected_ids: Iterable[str] | None = None,
) -> list[ModelRecord]:
    """Models matching ``select`` (all when empty) and, when given, in dbt's ``selected_ids``."""
    terms = parse_select(select)
    allowed = set(selected_ids) if selected_ids is not None else None
    return [
        model
        for model in models
        if (allowed is None or model.unique_id in allowed)
        and (not terms or any(_matches(model, term) for term in terms))
    ]


def opts_in(model: ModelRecord, vars_: dict[str, Any] | Any) -> bool:
    """Whether ``model`` is published: ``meta.tessera.publish`` decides; else an enforced contract does,
    unless the project sets ``tessera_publish_contracted: false``."""
    explicit = model.tessera.get("publish")
    if explicit is not None:
        return bool(explicit)
    publish_contracted = vars_.get("publish_contracted")
    return model.contract_enforced and (publish_contracted is None or bool(publish_contracted))
