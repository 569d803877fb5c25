"""Base classes of the wire models and the one error shape of the HTTP API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RequestModel(BaseModel):
    """A request body: unknown fields are rejected so a typo is a 422 that names the field."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class ResponseModel(BaseModel):
    """A response body: unknown fields are ignored so older clients survive newer services."""

    model_config = ConfigDict(
        extra="ignore", populate_by_name=True, serialize_by_alias=True, from_attributes=True
    )


class ErrorInfo(ResponseModel):
    """What went wrong: a stable machine ``code``, a ``message`` that says what to fix, and ``details``."""

    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(ResponseModel):
    """Every error response of the service: ``{"error": {"code", "message", "details"}}``."""

    error: ErrorInfo
