"""The headers of one delivery attempt, signed with the subscription's secret (HMAC over timestamp + body)."""

from __future__ import annotations

import time

from tessera_core.models.webhooks import (
    ATTEMPT_HEADER,
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_for,
)

USER_AGENT = "Tessera-Webhooks/0.1"


def signed_headers(
    *, secret: str, body: bytes, event_type: str, delivery_id: str, attempt: int, now: float | None = None
) -> dict[str, str]:
    """Headers for POSTing ``body``: the signature covers ``"<timestamp>.<body>"``, so a captured request
    cannot be replayed later with a fresh timestamp."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event_type,
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature_for(secret, timestamp, body),
        ATTEMPT_HEADER: str(attempt),
    }
