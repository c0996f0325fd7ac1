"""Alembic environment: runs on a connection handed in, or opens the configured database."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from kindred.core.db import migrate
from kindred.core.db.engine import build_engine
from kindred.models import metadata
from kindred.settings import Settings

# Serialises concurrent `kindred migrate`/`serve` starts on PostgreSQL.
MIGRATION_LOCK_ID = 7_146_001


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=migrate.include_object_on(connection.dialect.name),
    )


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Held until the migrations' transaction ends, however it ends: a failed migration
        # leaves the transaction aborted, where an explicit unlock would fail too and replace
        # the migration's own error with "current transaction is aborted".
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = build_engine(Settings(), url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or Settings().resolved_database_url
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"), target_metadata=metadata
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
