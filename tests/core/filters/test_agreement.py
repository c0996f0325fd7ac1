"""The compiler and the evaluator agree: for generated contacts and filters, the rows the
database selects are exactly the contacts the evaluator accepts (SQLite, and PostgreSQL when
KINDRED_TEST_DATABASE_URL is set). Each example inserts one small population, checks
FILTERS_PER_EXAMPLE filters against it and rolls back: EXAMPLES x FILTERS_PER_EXAMPLE cases.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kindred.companies.models import Company
from kindred.contacts.models import Contact, ContactTag, Tag
from kindred.core.db import uuid7
from kindred.core.db.session import Database
from kindred.core.filters import Subject, compile_filter, evaluate, parse_filter
from kindred.core.filters.fields import FieldRegistry
from tests.core.filters.strategies import (
    DEFINITIONS,
    NOW,
    WORKSPACE_TAGS,
    filters,
    populations,
)
from tests.factories import signup

EXAMPLES = int(os.environ.get("KINDRED_FILTER_EXAMPLES", "100"))
FILTERS_PER_EXAMPLE = 20
REGISTRY = FieldRegistry(DEFINITIONS)
CONTACT_KEYS = ("tags", "company_index")


@pytest.fixture(scope="module")
async def workspace_id(app: FastAPI) -> uuid.UUID:
    return uuid.UUID((await signup(app)).workspace_id)


async def _insert(
    conn: AsyncConnection,
    workspace: uuid.UUID,
    people: list[dict[str, Any]],
    companies: list[dict[str, Any]],
) -> list[uuid.UUID]:
    company_ids = [uuid7() for _ in companies]
    await conn.execute(
        insert(Company),
        [
            {**c, "id": i, "workspace_id": workspace}
            for c, i in zip(companies, company_ids, strict=True)
        ],
    )
    tag_ids = {name: uuid7() for name in WORKSPACE_TAGS}
    await conn.execute(
        insert(Tag), [{"id": i, "workspace_id": workspace, "name": n} for n, i in tag_ids.items()]
    )
    contact_ids = [uuid7() for _ in people]
    rows = [
        {
            **{k: v for k, v in person.items() if k not in CONTACT_KEYS},
            "id": contact_id,
            "workspace_id": workspace,
            "company_id": _pick(company_ids, person["company_index"]),
        }
        for person, contact_id in zip(people, contact_ids, strict=True)
    ]
    await conn.execute(insert(Contact), rows)
    links = [
        {"workspace_id": workspace, "contact_id": contact_id, "tag_id": tag_ids[name]}
        for person, contact_id in zip(people, contact_ids, strict=True)
        for name in person["tags"]
    ]
    if links:
        await conn.execute(insert(ContactTag), links)
    return contact_ids


def _pick(items: list[Any], index: int | None) -> Any:
    return None if index is None else items[index]


def _accepted(
    raw: dict[str, Any], people: list[dict[str, Any]], companies: list[dict[str, Any]]
) -> list[int]:
    group = parse_filter(raw, REGISTRY)
    accepted = []
    for index, person in enumerate(people):
        company = _pick(companies, person["company_index"])
        if evaluate(group, Subject.of(person, person["tags"], company), NOW):
            accepted.append(index)
    return accepted


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # Shrinking a 20-filter example against a database takes minutes; the failure message
    # already names the filter that disagrees.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    population=populations(),
    raw_filters=st.lists(filters, min_size=FILTERS_PER_EXAMPLE, max_size=FILTERS_PER_EXAMPLE),
)
async def test_sql_selects_exactly_the_contacts_the_evaluator_accepts(
    database: Database,
    workspace_id: uuid.UUID,
    population: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    raw_filters: list[dict[str, Any]],
) -> None:
    people, companies = population
    dialect = database.engine.dialect.name
    async with database.engine.connect() as conn:
        transaction = await conn.begin()
        try:
            ids = await _insert(conn, workspace_id, people, companies)
            for raw in raw_filters:
                where = compile_filter(
                    parse_filter(raw, REGISTRY), dialect, NOW, workspace_id=workspace_id
                )
                selected = await conn.scalars(
                    select(Contact.id).where(Contact.workspace_id == workspace_id, where)
                )
                expected = {ids[index] for index in _accepted(raw, people, companies)}
                assert set(selected) == expected, raw
        finally:
            await transaction.rollback()
