"""Exceptions raised by :mod:`tessera_core`.

The tree::

    TesseraError
    ├── InvalidSchemaError        a document cannot be normalized (says where and why)
    └── (client errors, see tessera_core.client)
"""

from __future__ import annotations


class TesseraError(Exception):
    """Root of every exception Tessera raises on purpose."""


class InvalidSchemaError(TesseraError, ValueError):
    """A schema document is malformed or uses something the normalizer cannot represent.

    ``pointer`` is a JSON pointer to the offending place when one is known.
    """

    def __init__(self, message: str, *, pointer: str = "") -> None:
        self.pointer = pointer
        super().__init__(f"{message} (at {pointer})" if pointer else message)
