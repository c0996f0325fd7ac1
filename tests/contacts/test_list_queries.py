"""The contact list's statement count does not grow with the contacts or tags on its page."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event

from kindred.core.db.session import Database
from tests.factories import Actor, signup


class StatementCounter:
    """Counts the SQL statements the engine sends while the `with` block runs."""

    def __init__(self, database: Database) -> None:
        self.engine = database.engine.sync_engine
        self.count = 0

    def _record(self, *_args: Any) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


async def _add_contacts(owner: Actor, count: int, tags: list[str]) -> None:
    for _ in range(count):
        created = await owner.client.post(
            "/api/contacts", json={"firstName": "Pat", "lastName": "Lee", "tags": tags}
        )
        assert created.status_code == 201, created.text


async def _statements(database: Database, owner: Actor, path: str, query: dict[str, str]) -> int:
    with StatementCounter(database) as counter:
        response = await owner.client.get(path, params=query)
    assert response.status_code == 200, response.text
    return counter.count


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/contacts", {}),
        ("/api/contacts", {"search": "pat", "tags": "vip"}),
        ("/agentvoice/api/contacts", {}),
    ],
)
async def test_listing_contacts_takes_the_same_statements_for_one_or_many_tagged_rows(
    app: FastAPI, database: Database, path: str, query: dict[str, str]
) -> None:
    owner = await signup(app)
    await _add_contacts(owner, 1, ["vip"])
    few = await _statements(database, owner, path, query)
    await _add_contacts(owner, 6, ["vip", "lead", "partner"])
    many = await _statements(database, owner, path, query)
    listed = await owner.client.get(path, params=query)
    assert len(listed.json() if path.startswith("/agentvoice") else listed.json()["contacts"]) == 7
    assert many == few
