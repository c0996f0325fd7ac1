"""Runtime configuration: one Settings object, read once from the environment."""

from __future__ import annotations

import uuid
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

    # Secrets at rest: Fernet keys, comma-separated, the first encrypts (rotation: prepend a
    # new key, run `kindred admin rotate-secrets-key`, then drop the old one). Unset: a key
    # generated on first start in <data_dir>/secrets.key (owner-only permissions).
    secrets_key: str | None = None

    # Idempotency-Key: how long a first response is replayed; after how long a request still
    # marked running is presumed crashed and its key may be taken over.
    idempotency_ttl_hours: int = 24
    idempotency_lock_seconds: int = 120

    # Outbound HTTP to user-given URLs (core/http.py). Private targets and plain http are
    # refused unless allowed explicitly (tests, on-premises installations).
    allow_private_targets: bool = False
    outbound_timeout_seconds: float = 15.0
    outbound_max_response_bytes: int = 2_000_000
    outbound_max_redirects: int = 3

    # PostgreSQL statement_timeout for API requests (milliseconds).
    statement_timeout_ms: int = 30_000
    sql_echo: bool = False

    # Request guards (core/middleware.py, core/ratelimit.py). Limits count requests per
    # window: per API key or session once verified live, per IP otherwise (an unknown
    # credential included); the public paths (sign-up, sign-in, chat, webhooks) have their
    # own, stricter per-IP bucket.
    rate_limit_enabled: bool = True
    rate_limit_window_seconds: int = 60
    rate_limit_per_credential: int = 3000
    rate_limit_per_ip: int = 3000
    rate_limit_public_per_ip: int = 600
    rate_limit_public_paths: list[str] = [
        "/api/signup",
        "/api/auth/signin",
        "/api/webhooks",
        "/api/v1/chat",
        "/api/chat",
    ]
    signin_max_failures: int = 10
    signin_failure_window_seconds: int = 900
    max_body_bytes: int = 10 * 1024 * 1024
    max_import_body_bytes: int = 100 * 1024 * 1024
    import_paths: list[str] = ["/api/contacts/import"]
    cors_origins: list[str] = []
    log_format: Literal["json", "text"] = "json"
    # GET /metrics: scrapers send `Authorization: Bearer <metrics_token>`. Without a token it
    # answers loopback clients only, and never in production (404 there).
    metrics_enabled: bool = True
    metrics_token: str | None = None

    # Outbound messages (messaging, providers/). Sandbox: every message is captured in the
    # database and never leaves; live: SMS through each workspace's Twilio account, email
    # through the operator's SMTP server or MailerSend account.
    delivery_mode: Literal["sandbox", "live"] = "sandbox"
    email_provider: Literal["smtp", "mailersend"] = "smtp"
    email_from: str = "Kindred <no-reply@localhost>"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mailersend_api_key: str | None = None
    mailersend_base_url: str = "https://api.mailersend.com/v1"
    mailersend_webhook_secret: str | None = None
    # Tally form submissions (POST /api/webhooks/tally): the webhook's signing secret, and the
    # workspace their contacts go to (document 002's "global workspace"); both, or none.
    tally_webhook_signing_secret: str | None = None
    tally_workspace_id: uuid.UUID | None = None
    twilio_base_url: str = "https://api.twilio.com/2010-04-01"
    # Where providers reach this installation (Twilio status callbacks); unset: none asked.
    public_base_url: str | None = None
    provider_timeout_seconds: float = 15.0
    # Credits a workspace starts with (the embedded default is generous).
    initial_credits: int = 100_000

    # Dashboard counts that need a full table scan (analytics/cache.py) are cached this long;
    # 0 computes them on every request.
    analytics_cache_seconds: int = Field(default=60, ge=0)

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
