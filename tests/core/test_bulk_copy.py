"""Bulk inserts: `WorkspaceRepository.insert_many` (COPY on PostgreSQL, executemany on SQLite)
fills defaults and maps attribute names to columns, writes inside the caller's transaction, and
a bulk write hands the connection back planning every statement."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.models import Interaction
from kindred.contacts.repository import InteractionRepository
from kindred.core.db.copy import _records
from kindred.core.db.dialect import cached_plans
from kindred.core.db.session import Database
from tests.campaigns.helpers import make_contact
from tests.databases import POSTGRES_URL
from tests.factories import signup

postgres_only = pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL's plan cache setting: needs KINDRED_TEST_DATABASE_URL"
)


async def _write_entries(
    app: FastAPI, database: Database, count: int, *, keep: bool
) -> list[Interaction]:
    """Inserts `count` timeline entries with insert_many as a transaction's first statement,
    commits it or rolls it back, and returns what the workspace then holds."""
    actor = await signup(app)
    contact_id = uuid.UUID((await make_contact(actor))["id"])
    workspace_id = uuid.UUID(actor.workspace_id)
    rows = [
        {"contact_id": contact_id, "type": "note", "body": f"entry {n}", "meta": {"n": n}}
        for n in range(count)
    ]
    async with AsyncSession(database.engine) as session:  # nothing run on it before
        await InteractionRepository(session, workspace_id).insert_many(rows)
        await (session.commit() if keep else session.rollback())
    async with database.session_scope() as session:
        found = await session.scalars(
            select(Interaction).where(Interaction.workspace_id == workspace_id)
        )
        return list(found.all())


async def test_insert_many_fills_defaults_and_writes_attribute_names_to_their_columns(
    app: FastAPI, database: Database
) -> None:
    stored = await _write_entries(app, database, 3, keep=True)
    assert sorted(entry.meta["n"] for entry in stored) == [0, 1, 2]  # `meta` is `metadata`
    assert all(entry.id and entry.created_at and entry.occurred_at for entry in stored)


async def test_insert_many_as_a_transactions_first_statement_rolls_back_with_it(
    app: FastAPI, database: Database
) -> None:
    assert await _write_entries(app, database, 2, keep=False) == []


@postgres_only
async def test_a_bulk_write_caches_plans_and_then_plans_every_statement_again(
    database: Database,
) -> None:
    async with database.session_scope() as session:
        async with cached_plans(session):
            inside = await session.scalar(text("SHOW plan_cache_mode"))
        after = await session.scalar(text("SHOW plan_cache_mode"))
    assert (inside, after) == ("auto", "force_custom_plan")


def test_copy_binds_shared_and_distinct_values_each_as_its_own() -> None:
    paris = timezone(timedelta(hours=1))
    shared = datetime(2026, 11, 23, 13, 0, tzinfo=paris)
    moments = [shared, shared, datetime(2026, 11, 23, 9, 0, tzinfo=paris), shared]
    rows = [
        {"contact_id": uuid.uuid4(), "type": "note", "occurred_at": moment, "metadata": {"n": n}}
        for n, moment in enumerate(moments)
    ]
    names, records = _records(
        Interaction.__table__, asyncpg.dialect(), rows, {"workspace_id": uuid.uuid4()}
    )
    bound = [dict(zip(names, record, strict=True)) for record in records]
    assert [row["occurred_at"] for row in bound] == [moment.astimezone(UTC) for moment in moments]
    assert [json.loads(row["metadata"]) for row in bound] == [{"n": n} for n in range(4)]


def _bound_metadata(value: object) -> object:
    """The text COPY sends to PostgreSQL for a timeline entry's metadata."""
    row = {"contact_id": uuid.uuid4(), "type": "note", "metadata": value}
    names, records = _records(Interaction.__table__, asyncpg.dialect(), [row], {})
    return records[0][names.index("metadata")]


def test_copy_serialises_json_as_json_dumps_would_read_back() -> None:
    document = {"subject": "Café ☕", "tags": ["a", "b"], "n": 1.5, "none": None, "nested": {}}
    assert json.loads(_bound_metadata(document)) == document


def test_copy_binds_none_and_unencodable_json_as_sqlalchemy_does() -> None:
    assert _bound_metadata(None) == "null"  # SQLAlchemy's JSON null, not SQL NULL
    lone_surrogate = {"name": "\ud800"}  # from a JSON body's "\ud800": no UTF-8 for it
    assert _bound_metadata(lone_surrogate) == json.dumps(lone_surrogate)
