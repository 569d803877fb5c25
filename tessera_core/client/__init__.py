"""Typed HTTP client of the Tessera service: :class:`TesseraClient` and :class:`AsyncTesseraClient`.

Both share :class:`BaseTesseraClient` (request building and error mapping, no I/O) and the pydantic wire
models of :mod:`tessera_core.models`. Errors form one tree rooted at :class:`tessera_core.TesseraError`
(see :mod:`tessera_core.client.errors`).
"""

from __future__ import annotations

from tessera_core.client._base import BaseTesseraClient as BaseTesseraClient
from tessera_core.client._base import build_publish_item as build_publish_item
from tessera_core.client.aio import AsyncTesseraClient as AsyncTesseraClient
from tessera_core.client.errors import AuthenticationError as AuthenticationError
from tessera_core.client.errors import ConflictError as ConflictError
from tessera_core.client.errors import NotFoundError as NotFoundError
from tessera_core.client.errors import PermissionDeniedError as PermissionDeniedError
from tessera_core.client.errors import ServiceUnavailableError as ServiceUnavailableError
from tessera_core.client.errors import TesseraAPIError as TesseraAPIError
from tessera_core.client.errors import ValidationError as ValidationError
from tessera_core.client.sync import TesseraClient as TesseraClient

__all__ = [
    "AsyncTesseraClient",
    "AuthenticationError",
    "BaseTesseraClient",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "ServiceUnavailableError",
    "TesseraAPIError",
    "TesseraClient",
    "ValidationError",
    "build_publish_item",
]
