"""Exceptions raised by :mod:`tessera_dbt`.

The tree (rooted at :class:`tessera_core.TesseraError`)::

    TesseraError
    └── TesseraDbtError          root of everything the dbt integration raises on purpose
        ├── ConfigurationError   TESSERA_URL / TESSERA_API_KEY missing, or a tessera_* var is invalid
        ├── PayloadError         what the macros emitted (or the manifest holds) cannot be understood
        └── DbtInvocationError   dbt itself failed (bad YAML, unknown macro, parse error)
"""

from __future__ import annotations

from tessera_core.errors import TesseraError


class TesseraDbtError(TesseraError):
    """Root of every exception the dbt integration raises on purpose."""


class ConfigurationError(TesseraDbtError):
    """The environment or a ``tessera_*`` var is missing or invalid; the message says what to set."""


class PayloadError(TesseraDbtError):
    """The payload emitted by the macros, or read from a manifest, is malformed."""


class DbtInvocationError(TesseraDbtError):
    """dbt failed before Tessera got anything to work with (bad YAML, parse error, missing package)."""
