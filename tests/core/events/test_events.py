"""Domain events: recorded with the change, dispatched to every consumer exactly once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.events import CONSUMERS, DomainEvent
from kindred.core.jobs.runtime import JobRuntime
from tests.core.events.helpers import recorded
from tests.factories import Actor, signup, unique_email


async def new_contact(actor: Actor, **fields: Any) -> Any:
    body = {"firstName": "Ada", "email": unique_email("c"), **fields}
    response = await actor.client.post("/api/contacts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_contact_changes_record_their_events_with_the_contact_as_shown(
    app: FastAPI, database: Database
) -> None:
    actor = await signup(app)
    contact = await new_contact(actor)
    updated = await actor.client.patch(f"/api/contacts/{contact['id']}", json={"title": "CTO"})
    await actor.client.delete(f"/api/contacts/{contact['id']}")
    events = await recorded(database, actor)
    assert [event.type for event in events] == [
        "contact.created",
        "contact.updated",
        "contact.deleted",
    ]
    assert events[0].data == contact
    change = {"title": {"from": None, "to": "CTO"}}
    assert events[1].data == updated.json() | {"changes": change}
    assert {event.contact_id for event in events} == {uuid.UUID(contact["id"])}


async def test_contact_updated_names_custom_fields_and_tags_that_changed(
    app: FastAPI, database: Database
) -> None:
    actor = await signup(app)
    contact = await new_contact(actor, tags=["a", "b"], customFields={"plan": "trial", "seats": 3})
    body = {"tags": ["b", "a", "c"], "customFields": {"plan": "paid"}, "firstName": "Ada"}
    await actor.client.patch(f"/api/contacts/{contact['id']}", json=body)
    events = await recorded(database, actor)
    (updated,) = [event for event in events if event.type == "contact.updated"]
    assert updated.data["changes"] == {
        "customFields.plan": {"from": "trial", "to": "paid"},
        "tags": {"from": ["a", "b"], "to": ["a", "b", "c"]},
    }


async def test_tag_routes_record_contact_updated_then_tag_added_or_removed(
    app: FastAPI, database: Database
) -> None:
    actor = await signup(app)
    contact = await new_contact(actor, tags=["vip"])
    tag = (await actor.client.post("/api/tags", json={"name": "lead"})).json()
    path = f"/api/contacts/{contact['id']}/tags"
    await actor.client.post(path, json={"tagId": tag["id"]})
    await actor.client.request("DELETE", path, json={"tagId": tag["id"]})
    events = await recorded(database, actor)
    assert [(e.type, e.data.get("tag", {}).get("name")) for e in events] == [
        ("contact.created", None),
        ("tag.added", "vip"),
        ("contact.updated", None),
        ("tag.added", "lead"),
        ("contact.updated", None),
        ("tag.removed", "lead"),
    ]
    added, removed = events[2].data, events[4].data
    assert added["tags"] == ["lead", "vip"]
    assert added["changes"] == {"tags": {"from": ["vip"], "to": ["lead", "vip"]}}
    assert removed["changes"] == {"tags": {"from": ["lead", "vip"], "to": ["vip"]}}


async def test_a_tag_route_that_changes_no_tag_records_no_event(
    app: FastAPI, database: Database
) -> None:
    actor = await signup(app)
    contact = await new_contact(actor, tags=["vip"])
    tags = {tag["name"]: tag["id"] for tag in (await actor.client.get("/api/tags")).json()}
    other = (await actor.client.post("/api/tags", json={"name": "lead"})).json()
    path = f"/api/contacts/{contact['id']}/tags"
    again = await actor.client.post(path, json={"tagId": tags["vip"]})
    absent = await actor.client.request("DELETE", path, json={"tagId": other["id"]})
    assert [again.status_code, absent.status_code] == [200, 200]
    assert (
        [tag["name"] for tag in again.json()] == [tag["name"] for tag in absent.json()] == ["vip"]
    )
    types = [event.type for event in await recorded(database, actor)]
    assert types == ["contact.created", "tag.added"]


async def test_a_refused_change_records_no_event(app: FastAPI, database: Database) -> None:
    actor = await signup(app)
    contact = await new_contact(actor)
    duplicate = await actor.client.post("/api/contacts", json={"email": contact["email"]})
    assert duplicate.status_code == 409
    assert [event.type for event in await recorded(database, actor)] == ["contact.created"]


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, uuid.UUID]]:
    """Two test consumers; the second fails on its first two calls for each event (the
    dispatcher's batch attempt and its one-by-one retry)."""
    calls: list[tuple[str, uuid.UUID]] = []

    async def steady(_session: AsyncSession, event: DomainEvent) -> None:
        calls.append(("steady", event.id))

    async def flaky(_session: AsyncSession, event: DomainEvent) -> None:
        calls.append(("flaky", event.id))
        if calls.count(("flaky", event.id)) <= 2:
            raise RuntimeError("first call fails")

    monkeypatch.setitem(CONSUMERS, "test.steady", steady)
    monkeypatch.setitem(CONSUMERS, "test.flaky", flaky)
    return calls


async def test_a_failing_consumer_is_retried_alone_and_the_others_run_once(
    app: FastAPI, database: Database, jobs: JobRuntime, seen: list[tuple[str, uuid.UUID]]
) -> None:
    actor = await signup(app)
    await new_contact(actor)
    await jobs.runner.run_due()
    [event] = await recorded(database, actor)
    assert event.dispatched_at is None
    assert event.retry_at is not None
    steady_calls = seen.count(("steady", event.id))
    async with database.session_scope() as session:
        found = await session.get(DomainEvent, event.id)
        assert found is not None
        found.retry_at = utcnow()
    await jobs.tick()
    await jobs.runner.run_due()
    [event] = await recorded(database, actor)
    assert event.dispatched_at is not None
    assert seen.count(("steady", event.id)) == steady_calls
    assert seen.count(("flaky", event.id)) == 3
