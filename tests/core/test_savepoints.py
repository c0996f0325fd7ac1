"""A savepoint is nested in its transaction on both databases: releasing it commits nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from kindred.core.db.session import Database
from kindred.workspaces.models import Workspace


class _Undone(Exception):
    pass


async def _named(database: Database, name: str) -> list[str]:
    async with database.session_scope() as session:
        found = await session.scalars(select(Workspace.name).where(Workspace.name == name))
        return list(found)


async def test_a_released_savepoint_that_made_the_first_write_rolls_back_with_its_transaction(
    database: Database,
) -> None:
    name = f"undone-{uuid.uuid4().hex}"
    with pytest.raises(_Undone):
        await _write_in_a_savepoint_then_fail(database, name)
    assert await _named(database, name) == []


async def _write_in_a_savepoint_then_fail(database: Database, name: str) -> None:
    async with database.session_scope() as session:
        await session.scalar(select(Workspace.id).limit(1))  # a read opens nothing on SQLite
        async with session.begin_nested():
            session.add(Workspace(name=name))
        raise _Undone


async def test_a_released_savepoint_commits_with_its_transaction(database: Database) -> None:
    name = f"kept-{uuid.uuid4().hex}"
    async with database.session_scope() as session:
        async with session.begin_nested():
            session.add(Workspace(name=name))
        session.add(Workspace(name=f"{name}-after"))
    assert await _named(database, name) == [name]
    assert await _named(database, f"{name}-after") == [f"{name}-after"]
