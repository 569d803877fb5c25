"""The dbt plugin: forwards what the tessera macros log to the Tessera service.

dbt imports every top-level ``dbt_*`` module and instantiates the classes in its ``plugins`` list
(``dbt.plugins.manager``). :class:`TesseraPlugin` adds a callback to dbt's event manager; when a
``tessera_*`` macro logs its payload, the callback delivers it, prints the per-model summary as dbt log
lines and raises ``DbtRuntimeError`` to fail the operation (or the ``on-run-start`` gate).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dbt.plugins.manager import dbtPlugin
from dbt_common.events.event_manager_client import get_event_manager
from dbt_common.events.functions import fire_event
from dbt_common.events.types import Note
from dbt_common.exceptions import DbtRuntimeError

from tessera_dbt.markers import JINJA_LOG_EVENTS, MARKER_START

DELIVERY_ENV = "TESSERA_DBT_DELIVERY"
"""Set by the plugin (or the CLI) so the macros know someone will deliver their payload."""

_captures: list[list[dict[str, Any]]] = []


@contextmanager
def capture_payloads() -> Iterator[list[dict[str, Any]]]:
    """Within this block the plugin collects payloads instead of delivering them (used by the CLI,
    which delivers itself, so a project run through ``tessera dbt`` is never sent twice)."""
    captured: list[dict[str, Any]] = []
    _captures.append(captured)
    try:
        yield captured
    finally:
        _captures.remove(captured)


def forward(event: Any) -> None:
    """dbt event callback: deliver a Tessera payload, report, and fail the operation when needed."""
    # Cheap filter first: this runs for every dbt event; tessera_core is imported only for our payloads.
    info = getattr(event, "info", None)
    if getattr(info, "name", None) not in JINJA_LOG_EVENTS or MARKER_START not in event.data.msg:
        return
    from tessera_dbt.protocol import payload_from_event

    try:
        payload = payload_from_event(event)
    except Exception as exc:  # a malformed payload must fail loudly, like any other Tessera error
        raise DbtRuntimeError(f"Tessera: {exc}") from exc
    if payload is None:
        return
    if _captures:
        _captures[-1].append(payload)
        return
    from tessera_dbt.delivery import deliver

    report = deliver(payload)
    for line in report.lines[:-1] if report.failure else report.lines:
        fire_event(Note(msg=line))
    if report.failure:
        raise DbtRuntimeError(report.failure)


def _announce_delivery() -> None:
    """Let the macros see ``TESSERA_DBT_DELIVERY`` so they do not refuse to run for lack of a plugin.

    dbt's ``env_var()`` reads a snapshot of the environment taken when the invocation started (before
    plugins load), so the variable goes into that snapshot too. It is an internal dbt structure: if it
    ever changes, the macros fail loudly ("plugin is not loaded") and ``TESSERA_DBT_DELIVERY=plugin``
    in the environment is the documented workaround.
    """
    value = os.environ.setdefault(DELIVERY_ENV, "plugin")
    try:
        from dbt_common.context import get_invocation_context

        env = get_invocation_context().env
        if DELIVERY_ENV not in env and isinstance(env, dict):
            env[DELIVERY_ENV] = value
    except Exception:  # pragma: no cover - depends on dbt internals
        pass


class TesseraPlugin(dbtPlugin):
    """Registers :func:`forward` with dbt's event manager for the current invocation."""

    def initialize(self) -> None:
        """Called by dbt for every command that loads a project (after its loggers are set up)."""
        _announce_delivery()
        manager = get_event_manager()
        if forward not in manager.callbacks:
            manager.add_callback(forward)
