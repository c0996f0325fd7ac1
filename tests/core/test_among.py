"""`among`: a long IN list, bound as one array on PostgreSQL and expanded on SQLite, selects
the same rows either way."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from sqlalchemy import select

from kindred.contacts.models import Contact
from kindred.core.db.dialect import among, is_postgres
from kindred.core.db.session import Database
from tests.campaigns.helpers import make_contact
from tests.factories import signup


async def test_among_selects_exactly_the_rows_whose_value_is_listed(
    app: FastAPI, database: Database
) -> None:
    actor = await signup(app)
    ids = [uuid.UUID((await make_contact(actor))["id"]) for _ in range(4)]
    wanted = ids[:2] + [uuid.uuid4() for _ in range(300)]  # unknown ids match nothing
    async with database.session_scope() as session:
        found = await session.scalars(select(Contact.id).where(among(session, Contact.id, wanted)))
        assert sorted(found.all()) == sorted(ids[:2])
        assert (
            await session.scalars(select(Contact.id).where(among(session, Contact.id, [])))
        ).all() == []


async def test_among_is_one_array_parameter_on_postgresql_and_an_in_list_on_sqlite(
    database: Database,
) -> None:
    async with database.session_scope() as session:
        condition = among(session, Contact.id, [uuid.uuid4() for _ in range(500)])
        compiled = condition.compile(dialect=session.get_bind().dialect)
        postgres = is_postgres(session)
    assert ("= ANY (" in str(compiled)) is postgres
    assert (" IN (" in str(compiled)) is not postgres
