"""Schema builders for the service tests: closed tables as JSON Schema."""

from __future__ import annotations

from typing import Any


def table(
    *columns: str, required: tuple[str, ...] = ("id",), types: dict[str, str] | None = None
) -> dict[str, Any]:
    """A closed object with one property per column (``integer`` for id, else ``string``)."""
    types = types or {}
    return {
        "type": "object",
        "properties": {c: {"type": types.get(c, "integer" if c == "id" else "string")} for c in columns},
        "required": [c for c in required if c in columns],
        "additionalProperties": False,
    }


V1 = table("id", "name", "email")
V1_ADD = table("id", "name", "email", "phone")  # compatible: optional column added
V1_DROP_EMAIL = table("id", "name")  # breaking: column removed
V1_DROP_NAME = table("id", "email")  # breaking: another column removed
