"""``Idempotency-Key``: a retried publish replays the first answer instead of publishing twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from service.context import Ctx
from service.errors import Conflict, Unprocessable
from service.models import IdempotencyRecord

MAX_KEY = 200


def idempotent(
    ctx: Ctx, key: str | None, body: BaseModel, compute: Callable[[], BaseModel]
) -> dict[str, Any]:
    """Answer of ``compute()``, or the stored answer of an earlier request with the same key and body."""
    result: dict[str, Any]
    if not key:
        return compute().model_dump(mode="json", by_alias=True)
    if len(key) > MAX_KEY:
        raise Unprocessable(f"Idempotency-Key is longer than {MAX_KEY} characters")
    assert ctx.actor is not None
    request_hash = hashlib.sha256(
        json.dumps(body.model_dump(mode="json", by_alias=True), sort_keys=True).encode()
    ).hexdigest()
    stored = ctx.session.get(IdempotencyRecord, (ctx.actor.team_id, key))
    if stored is not None:
        if stored.request_hash != request_hash:
            raise Conflict(
                "this Idempotency-Key was already used for a different request; use a new key per request",
                code="idempotency_key_reused",
            )
        result = stored.response
        return result
    result = compute().model_dump(mode="json", by_alias=True)
    try:
        with ctx.session.begin_nested():
            ctx.session.add(
                IdempotencyRecord(
                    team_id=ctx.actor.team_id,
                    key=key,
                    request_hash=request_hash,
                    status_code=200,
                    response=result,
                    created_at=ctx.now,
                )
            )
            ctx.session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "another request with this Idempotency-Key is being processed; retry it to get its answer",
            code="idempotency_conflict",
        ) from exc
    return result
