"""Migrations: an empty database upgrades to head, and the models match the migrations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from kindred.core.db import migrate
from kindred.core.db.engine import build_engine
from kindred.settings import Settings


async def test_the_migrated_database_matches_the_models(settings: Settings) -> None:
    engine: AsyncEngine = build_engine(settings)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(migrate.pending_differences)
    finally:
        await engine.dispose()
    assert differences == []


def test_the_migration_tree_has_a_single_head() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1, script.get_heads()
