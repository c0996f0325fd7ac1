"""A workflow outlives changes around it: a custom field redefined under its conditions, its own
deactivation while runs wait."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle, tags_of, waiting_run
from tests.automations.test_schedule import HOURLY, next_hour, tick
from tests.factories import Actor, drop_field_definition, signup
from tests.messaging.helpers import captured, make_contact

SCORED = [{"field": "customFields.score", "operator": "gt", "value": 5}]


def tag_it(tag: str) -> list[dict[str, Any]]:
    return [{"type": "ADD_TAG", "config": {"tag": tag}}]


async def scored_workflow(actor: Actor, **fields: Any) -> dict[str, Any]:
    """A workflow on `SCORED`, saved while `score` is a number field, whose definition is then
    dropped past the API's check: `score` is text again, and `gt` is no operator of text."""
    body = {"name": "score", "label": "Score", "fieldType": "number"}
    defined = await actor.client.post("/api/fields", json=body)
    assert defined.status_code == 201, defined.text
    workflow = await make_workflow(actor, conditions=SCORED, actions=tag_it("scored"), **fields)
    await drop_field_definition(actor, "score")
    return workflow


async def test_a_workflow_whose_conditions_no_longer_parse_fails_its_run_alone(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    stale = await scored_workflow(actor)
    healthy = await make_workflow(actor, actions=tag_it("welcomed"))
    contact = await make_contact(actor)
    await settle(jobs)
    assert "welcomed" in await tags_of(actor, contact["id"])
    assert [run["status"] for run in await runs_of(actor, healthy["id"])] == ["COMPLETED"]
    (failed,) = await runs_of(actor, stale["id"])
    assert (failed["status"], failed["contactId"], failed["steps"]) == (
        "FAILED",
        contact["id"],
        [],
    )
    assert "conditions are no longer valid" in failed["error"]
    assert "customFields.score" in failed["error"]


async def test_a_schedule_whose_conditions_no_longer_parse_records_a_failed_run(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    workflow = await scored_workflow(actor, trigger="SCHEDULE", triggerConfig=HOURLY)
    await tick(jobs, next_hour())
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "FAILED"
    assert "conditions are no longer valid" in run["error"]


async def test_a_waiting_run_of_a_deactivated_workflow_stops_instead_of_acting(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    then = {"type": "SEND_SMS", "config": {"message": "Still interested?"}}
    workflow, contact = await waiting_run(actor, jobs, then, hours=1)
    path = f"/api/workflows/{workflow['id']}"
    assert (await actor.client.put(path, json={"status": "INACTIVE"})).status_code == 200
    await settle(jobs, now=utcnow() + timedelta(hours=2))
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "STOPPED"
    assert "deactivated" in run["error"]
    assert [step["type"] for step in run["steps"]] == ["WAIT"]
    assert await captured(actor, to=contact["phone"]) == []


async def test_a_waiting_run_stops_when_its_workflow_was_switched_off_and_on_during_the_wait(
    app: FastAPI, jobs: JobRuntime
) -> None:
    """The run belongs to the activation it started under: a deactivation drops it whether or
    not its job comes before the workflow is set ACTIVE again."""
    actor = await signup(app)
    then = {"type": "SEND_SMS", "config": {"message": "Still interested?"}}
    workflow, contact = await waiting_run(actor, jobs, then, hours=1)
    path = f"/api/workflows/{workflow['id']}"
    for status in ("INACTIVE", "ACTIVE"):
        assert (await actor.client.put(path, json={"status": status})).status_code == 200
    await settle(jobs, now=utcnow() + timedelta(hours=2))
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "STOPPED"
    assert "deactivated" in run["error"]
    assert await captured(actor, to=contact["phone"]) == []


async def test_a_run_waiting_while_its_workflow_is_edited_finishes_the_steps_it_started_with(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    then = {"type": "SEND_SMS", "config": {"message": "Still interested?"}}
    workflow, contact = await waiting_run(actor, jobs, then, hours=1)
    edited = [{"type": "SEND_SMS", "config": {"message": "Welcome aboard"}}]
    path = f"/api/workflows/{workflow['id']}"
    assert (await actor.client.put(path, json={"actions": edited})).status_code == 200
    await settle(jobs, now=utcnow() + timedelta(hours=2))
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED"
    assert [step["type"] for step in run["steps"]] == ["WAIT", "SEND_SMS"]
    (sms,) = await captured(actor, to=contact["phone"])
    assert sms["text"] == "Still interested?"
    second = await make_contact(actor)
    await settle(jobs)
    (sms,) = await captured(actor, to=second["phone"])
    assert sms["text"] == "Welcome aboard"


async def test_a_reactivated_workflow_does_not_answer_events_from_while_it_was_inactive(
    app: FastAPI, jobs: JobRuntime
) -> None:
    """An event that occurred while the workflow was INACTIVE, still queued when it is set
    ACTIVE again, starts no run; an event after the reactivation does."""
    actor = await signup(app)
    workflow = await make_workflow(actor, actions=tag_it("welcomed"))
    path = f"/api/workflows/{workflow['id']}"
    assert (await actor.client.put(path, json={"status": "INACTIVE"})).status_code == 200
    while_off = await make_contact(actor)
    assert (await actor.client.put(path, json={"status": "ACTIVE"})).status_code == 200
    after = await make_contact(actor)
    await settle(jobs)
    assert "welcomed" not in await tags_of(actor, while_off["id"])
    assert "welcomed" in await tags_of(actor, after["id"])
    (run,) = await runs_of(actor, workflow["id"])
    assert run["contactId"] == after["id"]
