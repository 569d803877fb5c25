"""The wire between the macros and Python: JSON between fixed markers in a dbt log message.

The macros log ``--TESSERA-OUTPUT-START--{json}--TESSERA-OUTPUT-END--`` at debug level; dbt's event
manager hands every log message to the plugin's callback (and to ``dbtRunner`` callbacks), and a log
scraper can find the same line in ``--log-format json`` output. This module is the one place that
knows how to read them (``tessera_dbt.markers`` holds them).
"""

from __future__ import annotations

import json
from typing import Any

from tessera_dbt.errors import PayloadError
from tessera_dbt.markers import JINJA_LOG_EVENTS, MARKER_END, MARKER_START

PAYLOAD_VERSION = 1


def extract_payload(message: str) -> dict[str, Any] | None:
    """The payload carried by a log ``message``, or ``None`` when the message is not one of ours."""
    start = message.find(MARKER_START)
    if start < 0:
        return None
    end = message.find(MARKER_END, start)
    if end < 0:
        raise PayloadError("a Tessera payload was logged without its end marker (truncated log line?)")
    try:
        payload = json.loads(message[start + len(MARKER_START) : end])
    except json.JSONDecodeError as exc:
        raise PayloadError(f"the Tessera payload logged by the macros is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("tessera_payload") != PAYLOAD_VERSION:
        version = payload.get("tessera_payload") if isinstance(payload, dict) else None
        raise PayloadError(
            f"payload version {version!r} from the tessera dbt package does not match this Python package "
            f"(expects {PAYLOAD_VERSION}); upgrade both to the same release"
        )
    return payload


def payload_from_event(event: Any) -> dict[str, Any] | None:
    """The payload carried by a dbt structured-logging event (``EventMsg``), if any."""
    info = getattr(event, "info", None)
    if info is None or getattr(info, "name", None) not in JINJA_LOG_EVENTS:
        return None
    return extract_payload(str(event.data.msg))
