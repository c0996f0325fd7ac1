"""Reads the database directly to prove that forged values were never stored."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, String, Table, func, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from kindred.core.db.session import Database
from kindred.models import metadata

SENTINEL_ID = uuid.UUID("00000000-0000-7000-8000-00000000dead")
FORGED_TIME = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
FORGED_NUMBER = 987_654_321
FORGED_TEXT = "forged-by-mass-assignment"


def _forged(table: Table) -> list[ColumnElement[bool]]:
    """Conditions matching a row that carries any forged value."""
    conditions: list[ColumnElement[bool]] = []
    for column in table.columns:
        if column.name == "id" and not isinstance(column.type, Integer):  # rollups: bigint
            conditions.append(column == SENTINEL_ID)
        elif column.name in ("created_at", "updated_at"):
            conditions.append(column < datetime(2002, 1, 1, tzinfo=UTC))
        elif isinstance(column.type, Integer):
            conditions.append(column == FORGED_NUMBER)
        elif isinstance(column.type, String):
            conditions.append(column == FORGED_TEXT)
    return conditions


async def _tables(connection: AsyncConnection) -> list[Table]:
    """The model tables that exist (a model may be ahead of its migration while in progress)."""
    existing = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    return [table for table in metadata.sorted_tables if table.name in existing]


async def forged_rows(database: Database) -> dict[str, int]:
    """Per table, rows holding a forged id, timestamp, counter or secret."""
    found: dict[str, int] = {}
    async with database.engine.connect() as connection:
        for table in await _tables(connection):
            conditions = _forged(table)
            if not conditions:
                continue
            count = await connection.scalar(
                select(func.count()).select_from(table).where(or_(*conditions))
            )
            if count:
                found[table.name] = int(count)
    return found


async def owned_rows(database: Database, workspace_id: str, user_id: str) -> dict[str, Any]:
    """Rows attributed to one workspace or one user, and the platform admin count."""
    counts: dict[str, Any] = {}
    async with database.engine.connect() as connection:
        for table in await _tables(connection):
            for column, value in (("workspace_id", workspace_id), ("user_id", user_id)):
                if column in table.columns:
                    counts[f"{table.name}.{column}"] = await connection.scalar(
                        select(func.count())
                        .select_from(table)
                        .where(table.columns[column] == uuid.UUID(value))
                    )
        users = metadata.tables["users"]
        counts["platform_admins"] = await connection.scalar(
            select(func.count()).select_from(users).where(users.c.is_platform_admin.is_(True))
        )
    return counts


async def row_counts(database: Database) -> dict[str, int]:
    """Rows per table: equal before and after a refused request means nothing was written."""
    async with database.engine.connect() as connection:
        return {
            table.name: int(await connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in await _tables(connection)
        }
