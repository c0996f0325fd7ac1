"""The automation engine end to end: events start runs, steps act through the services."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from kindred.app import create_app
from kindred.automations import webhook as webhook_action
from kindred.automations.actions import ACTIONS, StepContext
from kindred.automations.engine import MAX_DEPTH, on_event
from kindred.automations.runner import ADVANCE_TASK, CONTACT_DELETED
from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.events import events_since
from kindred.core.jobs import Job, JobStatus, enqueue
from kindred.core.jobs.runtime import JobRuntime
from kindred.settings import Settings
from tests.automations.helpers import (
    make_workflow,
    runs_of,
    settle,
    settle_through_retries,
    tags_of,
    waiting_run,
)
from tests.factories import signup
from tests.messaging.helpers import captured, make_contact
from tests.webhooks.receiver import Receiver, verify


async def test_contact_created_workflow_sends_sms_through_the_gate(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    actions = [{"type": "SEND_SMS", "config": {"message": "Welcome {{contact.firstName}}!"}}]
    workflow = await make_workflow(actor, actions=actions)
    contact = await make_contact(actor, firstName="Ada")
    await settle(jobs)
    (sms,) = await captured(actor, to=contact["phone"])
    assert sms["text"] == "Welcome Ada!"
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED"
    assert run["steps"][0]["status"] == "COMPLETED"


async def test_refused_message_fails_the_step_with_the_gate_reason(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    workflow = await make_workflow(
        actor, actions=[{"type": "SEND_SMS", "config": {"message": "Hi"}}]
    )
    await make_contact(actor, globallyUnsubscribed=True)
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "FAILED"
    assert "unsubscribed" in run["steps"][0]["error"]


async def test_conditions_filter_on_the_contact_after_the_event(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    conditions = [{"field": "tags", "operator": "contains", "value": "VIP"}]
    actions = [{"type": "ADD_TAG", "config": {"tag": "welcomed"}}]
    workflow = await make_workflow(actor, conditions=conditions, actions=actions)
    vip = await make_contact(actor, tags=["VIP"])
    other = await make_contact(actor)
    await settle(jobs)
    assert "welcomed" in await tags_of(actor, vip["id"])
    assert "welcomed" not in await tags_of(actor, other["id"])
    assert len(await runs_of(actor, workflow["id"])) == 1


async def test_self_triggering_workflow_stops_at_the_depth_bound(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    actions = [
        {"type": "REMOVE_TAG", "config": {"tag": "ping"}},
        {"type": "ADD_TAG", "config": {"tag": "ping"}},
    ]
    workflow = await make_workflow(
        actor, trigger="TAG_ADDED", triggerConfig={"tag": "ping"}, actions=actions
    )
    await make_contact(actor, tags=["ping"])
    await settle(jobs)
    runs = await runs_of(actor, workflow["id"])
    assert len(runs) == MAX_DEPTH + 2
    stopped = runs[0]
    assert stopped["status"] == "STOPPED"
    assert "triggering itself" in stopped["error"]
    assert sorted(run["depth"] for run in runs) == list(range(MAX_DEPTH + 2))
    listed = await actor.client.get("/api/workflows")
    assert listed.json()["workflows"][0]["executionCount"] == MAX_DEPTH + 1


async def test_wait_resumes_after_a_restart(
    app: FastAPI, jobs: JobRuntime, settings: Settings
) -> None:
    actor = await signup(app)
    then = {"type": "ADD_TAG", "config": {"tag": "followed-up"}}
    workflow, contact = await waiting_run(actor, jobs, then)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "WAITING"
    assert "followed-up" not in await tags_of(actor, contact["id"])
    restarted = create_app(settings)
    async with restarted.router.lifespan_context(restarted):
        await settle(restarted.state.jobs, now=utcnow() + timedelta(hours=2, minutes=1))
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED"
    assert [step["type"] for step in run["steps"]] == ["WAIT", "ADD_TAG"]
    assert "followed-up" in await tags_of(actor, contact["id"])


async def test_a_second_copy_of_a_run_job_does_not_cut_its_wait_short(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    """A job run again after its lease ran out (its worker was only slow) finds the run past
    the step it was queued for and leaves it waiting."""
    actor = await signup(app)
    then = {"type": "ADD_TAG", "config": {"tag": "followed-up"}}
    workflow, contact = await waiting_run(actor, jobs, then)
    (run,) = await runs_of(actor, workflow["id"])
    async with database.session_scope() as session:
        await enqueue(session, ADVANCE_TASK, workspace=actor.workspace_id, run=run["id"], step=0)
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "WAITING"
    assert [step["type"] for step in run["steps"]] == ["WAIT"]
    assert "followed-up" not in await tags_of(actor, contact["id"])


async def test_webhook_action_delivers_a_signed_request(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await signup(app)
    config = {"url": receiver.url, "data": {"greeting": "Hello {{contact.firstName}}"}}
    workflow = await make_workflow(actor, actions=[{"type": "WEBHOOK", "config": config}])
    await make_contact(actor, firstName="Grace")
    await settle(jobs)
    (request,) = receiver.received
    assert verify(workflow["webhookSecret"], request.headers, request.body)
    assert request.json["data"] == {"greeting": "Hello Grace"}
    assert request.json["contact"]["firstName"] == "Grace"
    (run,) = await runs_of(actor, workflow["id"])
    assert run["steps"][0]["status"] == "COMPLETED"


async def test_webhook_failures_are_retried_then_recorded(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    receiver.reply = lambda _request: (500, {})
    actor = await signup(app)
    workflow = await make_workflow(
        actor, actions=[{"type": "WEBHOOK", "config": {"url": receiver.url}}]
    )
    await make_contact(actor)
    later = utcnow()
    for _attempt in range(6):
        await settle(jobs, now=later)
        later += timedelta(hours=1)
    (run,) = await runs_of(actor, workflow["id"])
    step = run["steps"][0]
    assert step["status"] == "FAILED"
    assert "500" in step["error"]
    assert len(receiver.received) == step["output"]["attempts"] == 5
    assert (run["status"], run["error"]) == ("FAILED", "Step 1 (WEBHOOK) failed")


async def test_a_run_still_going_when_its_webhook_gave_up_ends_failed(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    receiver.reply = lambda _request: (500, {})
    actor = await signup(app)
    actions = [
        {"type": "WEBHOOK", "config": {"url": receiver.url}},
        {"type": "WAIT", "config": {"days": 2}},
        {"type": "ADD_TAG", "config": {"tag": "followed-up"}},
    ]
    workflow = await make_workflow(actor, actions=actions)
    await make_contact(actor)
    await settle_through_retries(jobs)
    await settle(jobs, now=utcnow() + timedelta(days=3))
    (run,) = await runs_of(actor, workflow["id"])
    assert [step["status"] for step in run["steps"]] == ["FAILED", "COMPLETED", "COMPLETED"]
    assert (run["status"], run["error"]) == ("FAILED", "Step 1 (WEBHOOK) failed")


async def test_an_event_never_runs_a_workflow_twice(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    actor = await signup(app)
    since = utcnow()
    workflow = await make_workflow(actor, actions=[{"type": "ADD_TAG", "config": {"tag": "x"}}])
    await make_contact(actor)
    await settle(jobs)
    async with database.session_scope() as session:
        workspace_id = uuid.UUID(actor.workspace_id)
        (event,) = await events_since(session, workspace_id, since, types=["contact.created"])
        await on_event(session, event)  # the same event delivered again
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED"


async def test_a_queued_webhook_is_delivered_after_its_workflow_loses_the_step(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    receiver.reply = lambda _request: (500, {})
    actor = await signup(app)
    webhook = {"type": "WEBHOOK", "config": {"url": receiver.url}}
    tag = {"type": "ADD_TAG", "config": {"tag": "seen"}}
    workflow = await make_workflow(actor, actions=[tag, webhook])
    await make_contact(actor)
    await settle(jobs)
    changed = await actor.client.put(f"/api/workflows/{workflow['id']}", json={"actions": [tag]})
    assert changed.status_code == 200, changed.text
    receiver.reply = lambda _request: (200, {})
    await settle(jobs, now=utcnow() + timedelta(hours=1))
    (run,) = await runs_of(actor, workflow["id"])
    assert run["steps"][1]["status"] == "COMPLETED", run["steps"][1]
    assert len(receiver.received) == 2


async def test_a_step_whose_database_keeps_failing_is_recorded_failed_after_the_retries(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database or network error may pass: the attempt is rolled back whole and retried.
    When no retry cured it, the run ends FAILED at that step, which says the error's kind."""
    attempts = 0

    async def unreachable(_step: Any, _config: dict[str, Any]) -> dict[str, Any]:
        nonlocal attempts
        attempts += 1
        raise ConnectionError("SELECT secret FROM internals")

    monkeypatch.setitem(ACTIONS, "ADD_TAG", unreachable)
    actor = await signup(app)
    tag = {"type": "ADD_TAG", "config": {"tag": "never"}}
    workflow = await make_workflow(actor, actions=[tag])
    await make_contact(actor)
    await settle_through_retries(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert (run["status"], run["error"]) == ("FAILED", "Step 1 (ADD_TAG) failed")
    (step,) = run["steps"]
    assert (step["type"], step["status"]) == ("ADD_TAG", "FAILED")
    assert "ConnectionError" in step["error"]
    assert "secret" not in step["error"]
    assert attempts == 5


async def test_a_later_step_whose_database_keeps_failing_is_the_one_recorded_failed(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each attempt undid the steps before it too: only the interrupted step has a record."""

    async def unreachable(_step: Any, _config: dict[str, Any]) -> dict[str, Any]:
        # Text reading like another step's interruption: the give-up reads the exception.
        raise ConnectionError("UPDATE contacts SET secret; step 3 (SEND_SMS): StepInterrupted")

    monkeypatch.setitem(ACTIONS, "SET_FIELD", unreachable)
    actor = await signup(app)
    actions = [
        {"type": "ADD_TAG", "config": {"tag": "undone"}},
        {"type": "SET_FIELD", "config": {"field": "company", "value": "Acme"}},
    ]
    workflow = await make_workflow(actor, actions=actions)
    contact = await make_contact(actor)
    await settle_through_retries(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert (run["status"], run["error"]) == ("FAILED", "Step 2 (SET_FIELD) failed")
    (step,) = run["steps"]
    assert (step["position"], step["type"], step["status"]) == (1, "SET_FIELD", "FAILED")
    assert "ConnectionError" in step["error"]
    assert "secret" not in step["error"]
    assert await tags_of(actor, contact["id"]) == []


async def test_a_step_that_raises_fails_there_with_its_error_and_undoes_only_its_own_writes(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error in an action (a bug: a retry would repeat it) fails its step at
    once: the steps before it stay done, its half-made changes are undone, no step after it
    runs."""

    async def half_done(context: StepContext, _config: dict[str, Any]) -> dict[str, Any]:
        context.need_contact().company = "half-done"
        await context.session.flush()
        raise KeyError("SELECT secret FROM internals")

    monkeypatch.setitem(ACTIONS, "SET_FIELD", half_done)
    actor = await signup(app)
    actions = [
        {"type": "ADD_TAG", "config": {"tag": "first"}},
        {"type": "SET_FIELD", "config": {"field": "company", "value": "Acme"}},
        {"type": "ADD_TAG", "config": {"tag": "never"}},
    ]
    workflow = await make_workflow(actor, actions=actions)
    contact = await make_contact(actor, company="Before")
    await settle(jobs)  # no retry: the first attempt settles it
    (run,) = await runs_of(actor, workflow["id"])
    assert (run["status"], run["error"]) == ("FAILED", "Step 2 (SET_FIELD) failed")
    assert [(step["type"], step["status"]) for step in run["steps"]] == [
        ("ADD_TAG", "COMPLETED"),
        ("SET_FIELD", "FAILED"),
    ]
    assert "KeyError" in run["steps"][1]["error"]
    assert "secret" not in run["steps"][1]["error"]
    assert await tags_of(actor, contact["id"]) == ["first"]
    stored = (await actor.client.get(f"/api/contacts/{contact['id']}")).json()
    assert stored.get("contact", stored)["company"] == "Before"


async def test_a_webhook_delivery_that_keeps_raising_ends_its_step_failed(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any) -> int:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(webhook_action, "_post", broken)
    actor = await signup(app)
    workflow = await make_workflow(
        actor, actions=[{"type": "WEBHOOK", "config": {"url": receiver.url}}]
    )
    await make_contact(actor)
    await settle_through_retries(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    step = run["steps"][0]
    assert step["status"] == "FAILED"
    assert "RuntimeError" in step["error"]
    assert run["status"] == "FAILED"


async def test_a_workflow_deleted_while_its_run_waits_leaves_its_job_nothing_to_do(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    actor = await signup(app)
    then = {"type": "SEND_SMS", "config": {"message": "Still interested?"}}
    workflow, contact = await waiting_run(actor, jobs, then, hours=1)
    path = f"/api/workflows/{workflow['id']}"
    assert (await actor.client.delete(path)).status_code == 200
    await settle(jobs, now=utcnow() + timedelta(hours=2))
    assert await captured(actor, to=contact["phone"]) == []
    assert (await actor.client.get(f"{path}/runs")).status_code == 404
    async with database.session_scope() as session:
        statuses = await session.scalars(
            select(Job.status).where(
                Job.workspace_id == uuid.UUID(actor.workspace_id), Job.name == ADVANCE_TASK
            )
        )
        assert set(statuses) == {JobStatus.SUCCEEDED}


async def test_a_run_whose_contact_is_deleted_while_it_waits_stops_saying_so(
    app: FastAPI, jobs: JobRuntime
) -> None:
    """Its next step (a deal "for" the contact here) would act about someone who is gone."""
    actor = await signup(app)
    then = {"type": "CREATE_DEAL", "config": {"title": "Follow up {{contact.firstName}}"}}
    workflow, contact = await waiting_run(actor, jobs, then, hours=1)
    assert (await actor.client.delete(f"/api/contacts/{contact['id']}")).status_code == 200
    await settle(jobs, now=utcnow() + timedelta(hours=2))
    (run,) = await runs_of(actor, workflow["id"])
    assert (run["status"], run["error"]) == ("STOPPED", CONTACT_DELETED)
    assert [step["type"] for step in run["steps"]] == ["WAIT"]
    assert (await actor.client.get("/api/deals")).json()["deals"] == []


async def test_runs_are_listed_newest_first_a_page_at_a_time(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    workflow = await make_workflow(actor, actions=[{"type": "ADD_TAG", "config": {"tag": "x"}}])
    contacts = [await make_contact(actor) for _ in range(5)]
    await settle(jobs)
    path = f"/api/workflows/{workflow['id']}/runs"
    pages = []
    for page in (1, 2, 3, 4):
        response = await actor.client.get(path, params={"page": page, "pageSize": 2})
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["total"], body["page"], body["pageSize"], body["totalPages"]) == (
            5,
            page,
            2,
            3,
        )
        pages.append([run["contactId"] for run in body["runs"]])
    assert [len(runs) for runs in pages] == [2, 2, 1, 0]
    listed = [contact_id for runs in pages for contact_id in runs]
    assert listed == [contact["id"] for contact in reversed(contacts)]
