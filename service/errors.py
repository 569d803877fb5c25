"""One error root for the service and the handlers that render every error in one JSON shape.

::

    ServiceError (500)
    ├── BadRequest            400  bad_request
    ├── Unauthenticated       401  unauthenticated
    ├── Forbidden             403  forbidden
    ├── NotFound              404  not_found
    ├── Conflict              409  conflict
    ├── Unprocessable         422  invalid_schema / validation_error
    └── NotReady              503  not_ready

Database errors a request can provoke are mapped too: DataError -> 422, IntegrityError (a concurrent
change) -> 409, OperationalError (busy, deadlock, unreachable) -> 503; anything else is a logged 500.

Every answer is ``{"error": {"code", "message", "details"}}``, including FastAPI's request validation
errors (422, naming each field and what to fix) and unknown routes (404).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("tessera.service")


class ServiceError(Exception):
    """Root of every error the service raises on purpose."""

    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class BadRequest(ServiceError):
    """The request is malformed."""

    status_code = 400
    code = "bad_request"


class Unauthenticated(ServiceError):
    """No API key, or an unknown, expired or revoked one."""

    status_code = 401
    code = "unauthenticated"


class Forbidden(ServiceError):
    """The key's team or scope may not do this."""

    status_code = 403
    code = "forbidden"


class NotFound(ServiceError):
    """The thing does not exist."""

    status_code = 404
    code = "not_found"


class Conflict(ServiceError):
    """The request conflicts with the current state."""

    status_code = 409
    code = "conflict"


class Unprocessable(ServiceError):
    """Well-formed request, unusable content (e.g. a schema that cannot be normalized)."""

    status_code = 422
    code = "validation_error"


class NotReady(ServiceError):
    """The database is unreachable or not migrated."""

    status_code = 503
    code = "not_ready"


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> JSONResponse:
    """The one error shape."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JSONResponse(body, status_code=status, headers=headers)


def describe_validation_errors(errors: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    """A one-line message naming each bad field and what to fix, plus structured details."""
    problems: list[dict[str, Any]] = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        field = ".".join(loc) or "body"
        msg = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field; remove it (check the spelling)"
        elif err.get("type") == "missing":
            msg = "required field is missing"
        problems.append({"field": field, "problem": msg, "type": err.get("type")})
    summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:10])
    if len(problems) > 10:
        summary += f"; and {len(problems) - 10} more"
    return f"invalid request: {summary}", problems


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return error_response(exc.status_code, exc.code, exc.message, exc.details)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, problems = describe_validation_errors(list(exc.errors()))
    return error_response(422, "validation_error", message, {"errors": problems})


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path} (see /docs)"
    return error_response(exc.status_code, code, message)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """Database errors a request can provoke, mapped to what the caller should do."""
    if isinstance(exc, DataError):
        return error_response(
            422, "invalid_value", "a value cannot be stored (a NUL character, or out of range for its field)"
        )
    if isinstance(exc, IntegrityError):
        return error_response(409, "conflict", "the request conflicts with a concurrent change; retry it")
    log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
    return error_response(503, "database_busy", "the database is busy or unreachable; retry shortly")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "internal error; the service log has the details")


def add_exception_handlers(app: FastAPI) -> None:
    """Render every error in the one JSON shape."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _database_error)
    app.add_exception_handler(IntegrityError, _database_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
