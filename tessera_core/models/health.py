"""Health probes."""

from __future__ import annotations

from pydantic import Field

from tessera_core.models.base import ResponseModel


class Health(ResponseModel):
    """``/health/live`` and ``/health/ready``."""

    status: str
    checks: dict[str, str] = Field(default_factory=dict)
    version: str | None = None
