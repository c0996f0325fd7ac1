"""Async engine construction: SQLite in WAL mode for the embedded default, asyncpg otherwise."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from kindred.settings import Settings


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "synchronous=NORMAL",
        "busy_timeout=10000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_before_savepoint(connection: Connection, _name: str) -> None:
    """Opens SQLite's transaction before a SAVEPOINT that would otherwise open it.

    Python's sqlite3 (as driven through aiosqlite) begins a transaction only before an INSERT,
    UPDATE or DELETE; a SAVEPOINT issued first starts one of its own, and releasing it commits
    everything, even if the transaction around it then rolls back. BEGIN IMMEDIATE makes the
    savepoint nested in a transaction that commits or rolls back whole, as on PostgreSQL; it
    takes the write lock at once, which the savepoint's writes would take anyway."""
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(settings: Settings, url: str | None = None) -> AsyncEngine:
    url = url or settings.resolved_database_url
    kwargs: dict[str, Any] = {"echo": settings.sql_echo}
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {
            "server_settings": {
                "statement_timeout": str(settings.statement_timeout_ms),
                # asyncpg prepares every statement; after five runs PostgreSQL may switch it to
                # a generic plan, which for `col IN (…500 parameters…)` filters the whole table
                # against the list instead of probing the index (measured 172 ms against 4 ms
                # on 10,000 conversations, and growing with the table). Plan each run.
                "plan_cache_mode": "force_custom_plan",
            }
        }
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "savepoint", _begin_before_savepoint)
    return engine
