"""Migrations: an empty database upgrades to head, the models match the migrations, and data
migrations carry existing rows over."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from kindred.contacts.models import Contact, ContactTag, Tag
from kindred.core.db import migrate
from kindred.core.db.engine import build_engine
from kindred.settings import Settings
from kindred.workspaces.models import Workspace
from tests.databases import DatabaseFactory


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


BEFORE_TAG_FOLDING = "0019_campaign_sending_since"


def _tag_rows(connection: Connection, workspace_id: uuid.UUID, tags: list[Tag]) -> None:
    connection.execute(
        insert(Tag.__table__),
        [
            {
                "id": tag.id,
                "workspace_id": workspace_id,
                "name": tag.name,
                "created_at": tag.created_at,
            }
            for tag in tags
        ],
    )


async def test_upgrading_merges_tags_differing_only_in_case_into_the_oldest(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    day = datetime(2026, 1, 1, tzinfo=UTC)
    vip = Tag(id=uuid.UUID(int=5), name="VIP", created_at=day)
    later = Tag(id=uuid.UUID(int=1), name="vip", created_at=day + timedelta(days=1))
    same_time = Tag(id=uuid.UUID(int=9), name="Vip", created_at=day)
    # Folding is ASCII only, as in the filters: É and é stay two tags.
    accented = [Tag(id=uuid.uuid4(), name=name, created_at=day) for name in ("Été", "été")]
    elsewhere = Tag(id=uuid.uuid4(), name="vip", created_at=day)
    workspace, other = uuid.uuid4(), uuid.uuid4()
    both, two_merged, one_merged = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def before(connection: Connection) -> None:
        migrate.upgrade_on(connection, BEFORE_TAG_FOLDING)
        connection.execute(
            insert(Workspace.__table__),
            [{"id": workspace, "name": "W"}, {"id": other, "name": "O"}],
        )
        connection.execute(
            insert(Contact.__table__),
            [{"id": c, "workspace_id": workspace} for c in (both, two_merged, one_merged)],
        )
        _tag_rows(connection, workspace, [later, vip, same_time, *accented])
        _tag_rows(connection, other, [elsewhere])
        links = [(both, vip), (both, later), (two_merged, later), (two_merged, same_time)]
        connection.execute(
            insert(ContactTag.__table__),
            [
                {"workspace_id": workspace, "contact_id": contact, "tag_id": tag.id}
                for contact, tag in [*links, (one_merged, same_time)]
            ],
        )

    def after(connection: Connection) -> tuple[set[tuple[uuid.UUID, str]], set[object]]:
        migrate.upgrade_on(connection)
        names = connection.execute(select(Tag.workspace_id, Tag.name)).all()
        links = connection.execute(select(ContactTag.contact_id, ContactTag.tag_id)).all()
        return {tuple(row) for row in names}, {tuple(row) for row in links}

    engine = build_engine(Settings(data_dir=tmp_path), await databases.unmigrated())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(before)
            names, links = await connection.run_sync(after)
    finally:
        await engine.dispose()
    assert names == {(workspace, "VIP"), (workspace, "Été"), (workspace, "été"), (other, "vip")}
    assert links == {(both, vip.id), (two_merged, vip.id), (one_merged, vip.id)}


async def test_a_failing_migration_reports_its_own_error(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    """Not an error of the migration lock's release in the aborted transaction."""

    def upgrade_over_a_stray_table(connection: Connection) -> None:
        connection.execute(text("CREATE TABLE workspaces (id integer)"))
        migrate.upgrade_on(connection)

    engine = build_engine(Settings(data_dir=tmp_path), await databases.unmigrated())
    try:
        async with engine.begin() as connection:
            with pytest.raises(DBAPIError) as raised:
                await connection.run_sync(upgrade_over_a_stray_table)
    finally:
        await engine.dispose()
    assert "already exists" in str(raised.value)
