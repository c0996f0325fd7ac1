"""Migrations: an empty database upgrades to head, the models match the migrations, and data
migrations carry existing rows over."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from kindred.contacts.models import Contact, ContactTag, Interaction, Tag
from kindred.core.db import migrate
from kindred.core.db.engine import build_engine
from kindred.messaging.models import Conversation, Message
from kindred.settings import Settings
from kindred.workspaces.models import Workspace
from tests.databases import DatabaseFactory

T = TypeVar("T")


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


def test_every_revision_id_fits_the_version_table() -> None:
    """alembic_version.version_num is VARCHAR(32): PostgreSQL refuses a longer id at the end of
    the upgrade (SQLite stores it, so only a PostgreSQL run would otherwise tell)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    too_long = [r.revision for r in script.walk_revisions() if len(r.revision) > 32]
    assert too_long == []


async def _upgraded(
    databases: DatabaseFactory,
    tmp_path: Path,
    before: Callable[[Connection], None],
    after: Callable[[Connection], T],
) -> T:
    """`after`'s answer on a new database that `before` brought to an earlier revision and
    filled, in one transaction."""
    engine = build_engine(Settings(data_dir=tmp_path), await databases.unmigrated())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(before)
            return await connection.run_sync(after)
    finally:
        await engine.dispose()


def _people(connection: Connection, contacts: dict[uuid.UUID, list[uuid.UUID]]) -> None:
    """The workspaces (the keys) and their contacts."""
    connection.execute(
        insert(Workspace.__table__),
        [{"id": workspace, "name": f"W{n}"} for n, workspace in enumerate(contacts)],
    )
    connection.execute(
        insert(Contact.__table__),
        [{"id": c, "workspace_id": w} for w, people in contacts.items() for c in people],
    )


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
        _people(connection, {workspace: [both, two_merged, one_merged], other: []})
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

    names, links = await _upgraded(databases, tmp_path, before, after)
    assert names == {(workspace, "VIP"), (workspace, "Été"), (workspace, "été"), (other, "vip")}
    assert links == {(both, vip.id), (two_merged, vip.id), (one_merged, vip.id)}


BEFORE_CAMPAIGN_MESSAGES_APART = "0020_tag_names_fold_case"


async def test_upgrading_drops_the_timeline_rows_copying_campaign_messages_and_keeps_the_rest(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    workspace, contact, thread = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    other, outsider = uuid.uuid4(), uuid.uuid4()
    campaign_message, direct_message = uuid.uuid4(), uuid.uuid4()
    copy, direct_entry, note, lookalike = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def message(message_id: uuid.UUID, campaign_id: uuid.UUID | None) -> dict[str, object]:
        return {
            "id": message_id, "workspace_id": workspace, "conversation_id": thread,
            "contact_id": contact, "campaign_id": campaign_id, "direction": "OUTBOUND",
            "channel": "EMAIL", "content": "Hello", "status": "SENT",
        }  # fmt: skip

    def entry(
        entry_id: uuid.UUID, kind: str, message_id: uuid.UUID | None, owner: uuid.UUID = workspace
    ) -> dict[str, object]:
        meta = {} if message_id is None else {"messageId": str(message_id)}
        person = contact if owner == workspace else outsider
        return {
            "id": entry_id, "workspace_id": owner, "contact_id": person, "type": kind,
            "metadata": meta,
        }  # fmt: skip

    def before(connection: Connection) -> None:
        migrate.upgrade_on(connection, BEFORE_CAMPAIGN_MESSAGES_APART)
        _people(connection, {workspace: [contact], other: [outsider]})
        connection.execute(
            insert(Conversation.__table__),
            [{"id": thread, "workspace_id": workspace, "contact_id": contact, "channel": "EMAIL"}],
        )
        connection.execute(
            insert(Message.__table__),
            [message(campaign_message, uuid.uuid4()), message(direct_message, None)],
        )
        entries = [
            entry(copy, "email_sent", campaign_message),
            entry(direct_entry, "email_sent", direct_message),
            entry(note, "note", None),
            # Another workspace's entry naming this message (its metadata is the user's to write).
            entry(lookalike, "email_sent", campaign_message, other),
        ]
        connection.execute(insert(Interaction.__table__), entries)

    def after(connection: Connection) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
        migrate.upgrade_on(connection)
        entries = connection.execute(select(Interaction.id)).scalars()
        messages = connection.execute(select(Message.id)).scalars()
        return set(entries), set(messages)

    entries, messages = await _upgraded(databases, tmp_path, before, after)
    assert entries == {direct_entry, note, lookalike}
    assert messages == {campaign_message, direct_message}


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
