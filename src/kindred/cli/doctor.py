"""`kindred doctor`: checks configuration, providers, database, migrations and Redis, and
says plainly what is wrong. Each check returns Findings; any failure exits non-zero.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Literal

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from kindred.core.db import migrate as migrations
from kindred.core.db.engine import build_engine
from kindred.health.service import check_redis
from kindred.settings import Settings

Level = Literal["ok", "warn", "fail"]
CONNECT_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Finding:
    check: str
    level: Level
    detail: str


def check_configuration(settings: Settings) -> list[Finding]:
    problems: list[Finding] = []
    if settings.job_dispatch == "redis" and not settings.redis_url:
        problems.append(
            Finding("configuration", "fail", "KINDRED_JOB_DISPATCH=redis needs REDIS_URL")
        )
    if settings.environment == "production" and settings.is_sqlite:
        problems.append(
            Finding(
                "configuration",
                "warn",
                "production on SQLite: set DATABASE_URL to PostgreSQL to run several processes",
            )
        )
    if (
        settings.environment == "production"
        and settings.metrics_enabled
        and not settings.metrics_token
    ):
        detail = "KINDRED_METRICS_TOKEN is unset: GET /metrics answers 404 in production"
        problems.append(Finding("configuration", "warn", detail))
    if "*" in settings.cors_origins:
        problems.append(
            Finding("configuration", "warn", "CORS allows every origin (KINDRED_CORS_ORIGINS)")
        )
    if settings.is_sqlite and not _writable(settings):
        problems.append(
            Finding("configuration", "fail", f"data directory {settings.data_dir} is not writable")
        )
    return problems or [Finding("configuration", "ok", f"environment {settings.environment}")]


def _writable(settings: Settings) -> bool:
    directory = settings.data_dir
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent
    return os.access(directory, os.W_OK)


def _pending(connection: Connection) -> list[str]:
    """Heads of the migration tree not applied (a head may be applied as a dependency)."""
    script = ScriptDirectory.from_config(migrations.alembic_config())
    current = MigrationContext.configure(connection).get_current_heads()
    applied = {revision.revision for revision in script.iterate_revisions(current, "base")}
    return sorted(set(script.get_heads()) - applied)


async def check_database(engine: AsyncEngine) -> list[Finding]:
    """Connectivity first; the migration check needs a working connection."""
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            pending = await connection.run_sync(_pending)
    except Exception as error:
        detail = f"cannot reach the database ({type(error).__name__}: {error})"
        return [Finding("database", "fail", detail)]
    found = [Finding("database", "ok", f"connected ({engine.dialect.name})")]
    if pending:
        detail = f"pending: {', '.join(pending)}; run `kindred migrate`"
        found.append(Finding("migrations", "fail", detail))
    else:
        found.append(Finding("migrations", "ok", "at head"))
    return found


def check_providers(settings: Settings) -> list[Finding]:
    if settings.delivery_mode == "sandbox":
        return [Finding("providers", "ok", "sandbox: messages are recorded, nothing is sent")]
    if settings.email_provider == "mailersend" and not settings.mailersend_api_key:
        detail = "live email through MailerSend needs KINDRED_MAILERSEND_API_KEY"
        return [Finding("providers", "fail", detail)]
    found: list[Finding] = []
    if settings.email_provider == "smtp" and settings.smtp_host == "localhost":
        found.append(Finding("providers", "warn", "live email goes to an SMTP server on localhost"))
    if not settings.public_base_url:
        detail = (
            "KINDRED_PUBLIC_BASE_URL is unset: Twilio cannot report delivery status, and "
            "email campaigns cannot be sent (their links must be absolute)"
        )
        found.append(Finding("providers", "warn", detail))
    live = f"live: email through {settings.email_provider}, SMS through each workspace's Twilio"
    return found or [Finding("providers", "ok", live)]


async def run_checks(settings: Settings) -> list[Finding]:
    findings = check_configuration(settings) + check_providers(settings)
    engine = build_engine(settings)
    try:
        findings += await check_database(engine)
    finally:
        await engine.dispose()
    redis = await check_redis(settings.redis_url)
    level: Level = "ok" if redis.ok else "fail"
    findings.append(Finding("redis", level, redis.message or redis.error or redis.status))
    return findings
