"""Runtime configuration: one Settings object, read once from the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob Kindred has; `KINDRED_` prefix, plus the conventional DATABASE_URL/REDIS_URL."""

    model_config = SettingsConfigDict(env_prefix="KINDRED_", extra="ignore")

    data_dir: Path = Path(".kindred")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("KINDRED_DATABASE_URL", "DATABASE_URL")
    )
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("KINDRED_REDIS_URL", "REDIS_URL")
    )
    environment: Literal["development", "production", "test"] = "development"

    session_ttl_hours: int = 24 * 30
    session_cookie_name: str = "kindred_session"
    password_min_length: int = 8

    # Jobs: how they are dispatched, the scheduler tick, the retry policy for failed tasks.
    job_dispatch: Literal["auto", "inprocess", "redis", "manual"] = "auto"
    job_queue_name: str = "kindred"
    run_scheduler: bool | None = None  # None: in the API process only in the embedded set-up
    scheduler_interval_seconds: float = 5.0
    job_max_attempts: int = 5
    job_backoff_base_seconds: float = 2.0
    job_lease_seconds: int = 300

    # PostgreSQL statement_timeout for API requests (milliseconds).
    statement_timeout_ms: int = 30_000
    sql_echo: bool = False

    @property
    def resolved_database_url(self) -> str:
        """The configured database, else SQLite in the data directory (the embedded default)."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'kindred.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Accept the plain `postgres://` and `postgresql://` spellings and use the async driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own Settings and pass them in."""
    return Settings()
