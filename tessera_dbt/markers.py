"""Markers around the JSON the macros log (no imports: the dbt plugin loads this on every dbt command)."""

from __future__ import annotations

MARKER_START = "--TESSERA-OUTPUT-START--"
MARKER_END = "--TESSERA-OUTPUT-END--"
JINJA_LOG_EVENTS = frozenset({"JinjaLogDebug", "JinjaLogInfo"})
