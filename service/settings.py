"""The one place configuration is read: ``Settings`` (environment variables prefixed ``TESSERA_``).

Bad values fail at start-up with a message naming the variable (pydantic-settings validation).
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> Any:
    """Accept ``3600``, ``"90s"``, ``"15m"``, ``"12h"``, ``"14d"``, ``"2w"`` as well as ISO 8601 durations."""
    if isinstance(value, str) and (match := _DURATION.match(value)):
        return timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2]])
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class Settings(BaseSettings):
    """Service configuration; every field is ``TESSERA_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="TESSERA_", extra="ignore", validate_default=True)

    home: Path = Field(default=Path("~/.tessera"), description="directory of the embedded SQLite database")
    database_url: str = Field(default="", description="SQLAlchemy URL; default: SQLite file in home")
    bootstrap_admin_key: str | None = Field(
        default=None, min_length=16, description="admin token to install on a new database"
    )
    proposal_ttl: Duration = Field(default=timedelta(days=14), description="default proposal lifetime")
    expiry_sweep_interval: Duration = Field(default=timedelta(seconds=60))
    max_bulk_items: int = Field(default=20_000, ge=1)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    auto_migrate: bool | None = Field(
        default=None, description="migrate on start; default: yes for SQLite, no for PostgreSQL"
    )
    pool_size: int = Field(default=10, ge=1)
    log_level: str = "info"
    webhook_delivery: bool = Field(
        default=True, description="run the webhook delivery worker in this process (off: events wait)"
    )
    webhook_poll_interval: Duration = Field(default=timedelta(seconds=1))
    webhook_timeout: Duration = Field(default=timedelta(seconds=5), description="per delivery attempt")
    webhook_max_attempts: int = Field(default=12, ge=1, le=100)
    webhook_backoff_base: Duration = Field(default=timedelta(seconds=10), description="first retry delay")
    webhook_backoff_max: Duration = Field(default=timedelta(hours=1), description="longest retry delay")
    webhook_concurrency: int = Field(default=8, ge=1, le=256, description="deliveries in flight")

    @field_validator("proposal_ttl", "expiry_sweep_interval")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value.total_seconds() <= 0:
            raise ValueError("must be a positive duration such as 3600, '90s', '12h' or '14d'")
        return value

    @field_validator(
        "webhook_poll_interval", "webhook_timeout", "webhook_backoff_base", "webhook_backoff_max"
    )
    @classmethod
    def _positive_webhook(cls, value: timedelta) -> timedelta:
        if value.total_seconds() <= 0:
            raise ValueError("must be a positive duration such as 0.5, '2s', '10s' or '1h'")
        return value

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        self.home = self.home.expanduser()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'tessera.db'}"
        if self.database_url.startswith(("postgres://", "postgresql://")):
            # psycopg 3 is the driver we ship
            self.database_url = "postgresql+psycopg://" + self.database_url.split("://", 1)[1]
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise ValueError(
                f"TESSERA_DATABASE_URL must be a sqlite:/// or postgresql:// URL, got {self.database_url!r}"
            )
        if self.auto_migrate is None:
            self.auto_migrate = self.is_sqlite
        return self

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite kind."""
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment (cached)."""
    return Settings()
