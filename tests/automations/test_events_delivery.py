"""Events reach workflows once: concurrent consumers, retried consumers, events out of order."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import update

from kindred.automations import engine
from kindred.automations.engine import on_event
from kindred.automations.models import Workflow
from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.events import DomainEvent, events_since
from kindred.core.events.dispatch import dispatch_workspace
from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle, tags_of
from tests.factories import Actor, signup
from tests.messaging.helpers import make_contact


def add_tag(tag: str) -> dict[str, Any]:
    return {"type": "ADD_TAG", "config": {"tag": tag}}


async def two_workflows(actor: Actor) -> list[dict[str, Any]]:
    return [await make_workflow(actor, actions=[add_tag(tag)]) for tag in ("one", "two")]


async def assert_one_completed_run_each(actor: Actor, workflows: list[dict[str, Any]]) -> None:
    for workflow in workflows:
        (run,) = await runs_of(actor, workflow["id"])
        assert run["status"] == "COMPLETED"
    listed = (await actor.client.get("/api/workflows")).json()["workflows"]
    assert [item["executionCount"] for item in listed] == [1, 1]


async def events_of(database: Database, actor: Actor, since: datetime) -> list[DomainEvent]:
    async with database.session_scope() as session:
        events = await events_since(session, uuid.UUID(actor.workspace_id), since)
        return list(events)


async def test_one_event_consumed_twice_at_once_starts_one_run_per_workflow(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    """Two workers hand the same event to the automations consumer at the same moment (a
    dispatcher whose lease ran out while it was still working): the (workflow, event) key lets
    one of them start each run; the other starts nothing (or fails, and its retry does)."""
    actor = await signup(app)
    since = utcnow()
    workflows = await two_workflows(actor)
    await make_contact(actor)
    (event,) = await events_of(database, actor, since)

    async def consume() -> None:
        async with database.session_scope() as session:
            found = await session.get(DomainEvent, event.id)
            assert found is not None
            await on_event(session, found)

    outcomes = await asyncio.gather(consume(), consume(), return_exceptions=True)
    assert None in outcomes
    for workflow in workflows:
        assert len(await runs_of(actor, workflow["id"])) == 1
    await settle(jobs)  # and the event's own dispatch, a third delivery
    await assert_one_completed_run_each(actor, workflows)


async def test_two_dispatchers_of_one_workspace_at_once_start_each_run_once(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    actor = await signup(app)
    since = utcnow()
    workflows = await two_workflows(actor)
    contacts = [await make_contact(actor) for _ in range(3)]

    async def dispatcher() -> None:
        async with database.session_scope() as session:
            await dispatch_workspace(session, uuid.UUID(actor.workspace_id))

    outcomes = await asyncio.gather(dispatcher(), dispatcher(), return_exceptions=True)
    assert outcomes == [None, None]
    assert all(event.dispatched_at for event in await events_of(database, actor, since))
    await settle(jobs)
    for workflow in workflows:
        runs = await runs_of(actor, workflow["id"])
        assert sorted(run["contactId"] for run in runs) == sorted(c["id"] for c in contacts)
    for contact in contacts:
        assert sorted(await tags_of(actor, contact["id"])) == ["one", "two"]


@pytest.fixture
def second_workflow_fails_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The consumer raises on the second workflow after it started the first one's run, in
    the dispatcher's batch attempt and in its one-by-one retry."""
    real = engine.conditions_hold
    failures: list[uuid.UUID] = []

    async def flaky(session: Any, workflow: Workflow, *args: Any) -> bool:
        if workflow.name == "two" and len(failures) < 2:
            failures.append(workflow.id)
            raise RuntimeError("the database went away")
        return await real(session, workflow, *args)

    monkeypatch.setattr(engine, "conditions_hold", flaky)


async def test_a_consumer_that_failed_after_starting_some_runs_starts_each_once_on_retry(
    app: FastAPI,
    jobs: JobRuntime,
    database: Database,
    second_workflow_fails_twice: None,
) -> None:
    actor = await signup(app)
    since = utcnow()
    workflows = [
        await make_workflow(actor, name=tag, actions=[add_tag(tag)]) for tag in ("one", "two")
    ]
    contact = await make_contact(actor)
    await settle(jobs)
    assert await runs_of(actor, workflows[1]["id"]) == []
    async with database.session_scope() as session:  # its backoff is over
        await session.execute(
            update(DomainEvent)
            .where(DomainEvent.workspace_id == uuid.UUID(actor.workspace_id))
            .values(retry_at=utcnow())
        )
    await jobs.tick()
    await settle(jobs)
    await assert_one_completed_run_each(actor, workflows)
    assert sorted(await tags_of(actor, contact["id"])) == ["one", "two"]
    (event, *_caused) = await events_of(database, actor, since)
    assert (event.type, event.dispatched_at is not None) == ("contact.created", True)


async def test_tag_added_and_removed_start_runs_judged_on_the_contact_after_each_event(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    """Events of one contact are not guaranteed to reach the consumer in order (a failed
    consumer is retried after later events): each run's conditions are judged on the contact
    its own event carries, so consuming TAG_REMOVED before TAG_ADDED starts the same runs."""
    actor = await signup(app)
    vip = [{"field": "tags", "operator": "contains", "value": "vip"}]
    added = await make_workflow(
        actor, trigger="TAG_ADDED", conditions=vip, actions=[add_tag("welcomed")]
    )
    removed = await make_workflow(
        actor,
        trigger="TAG_REMOVED",
        conditions=[{"field": "tags", "operator": "not_contains", "value": "vip"}],
        actions=[add_tag("farewell")],
    )
    contact = await make_contact(actor)
    await settle(jobs)
    since = utcnow()
    path = f"/api/contacts/{contact['id']}"
    await actor.client.patch(path, json={"tags": ["vip"]})
    await actor.client.patch(path, json={"tags": []})
    events = [e for e in await events_of(database, actor, since) if e.type.startswith("tag.")]
    assert [event.type for event in events] == ["tag.added", "tag.removed"]
    async with database.session_scope() as session:
        for event in reversed(events):
            await on_event(session, event)
    await settle(jobs)
    for workflow in (added, removed):
        (run,) = await runs_of(actor, workflow["id"])
        assert run["status"] == "COMPLETED"
    assert sorted(await tags_of(actor, contact["id"])) == ["farewell", "welcomed"]
