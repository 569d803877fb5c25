"""Exceptions raised by the Tessera client.

The tree (rooted at :class:`tessera_core.TesseraError`)::

    TesseraError
    └── TesseraAPIError             the service answered with an error (status, code, message, details)
        ├── AuthenticationError     401: no key, unknown, expired or revoked key
        ├── PermissionDeniedError   403: the key's team or scope may not do this
        ├── NotFoundError           404: no such team, asset, proposal, key ...
        ├── ConflictError           409: the request conflicts with the current state
        ├── ValidationError         400/422 and other 4xx: the request is wrong; the message says what to fix
        └── ServiceUnavailableError the service could not be reached (the message names the URL) or said 502-504
"""

from __future__ import annotations

from typing import Any

from tessera_core.errors import TesseraError


class TesseraAPIError(TesseraError):
    """An error answer from the Tessera service (or no answer at all, for ServiceUnavailableError)."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}
        super().__init__(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r}, message={self.message!r})"


class AuthenticationError(TesseraAPIError):
    """401: the API key is missing, unknown, expired or revoked."""


class PermissionDeniedError(TesseraAPIError):
    """403: the key's team or scope does not allow this operation."""


class NotFoundError(TesseraAPIError):
    """404: the team, asset, proposal or key does not exist."""


class ConflictError(TesseraAPIError):
    """409: the request conflicts with the current state (e.g. a proposal that is no longer open)."""


class ValidationError(TesseraAPIError):
    """400/422 (and other 4xx): the request is malformed; ``message`` says which field and what to fix."""


class ServiceUnavailableError(TesseraAPIError):
    """The service could not be reached, or answered 502/503/504. ``url`` is what was tried."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        url: str = "",
    ) -> None:
        self.url = url
        super().__init__(status, code, message, details)


STATUS_ERRORS: dict[int, type[TesseraAPIError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    502: ServiceUnavailableError,
    503: ServiceUnavailableError,
    504: ServiceUnavailableError,
}
"""Status code -> exception class; other 4xx are ValidationError, other 5xx TesseraAPIError."""


def error_class_for(status: int) -> type[TesseraAPIError]:
    """The exception class the client raises for an error ``status``."""
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    return ValidationError if 400 <= status < 500 else TesseraAPIError
