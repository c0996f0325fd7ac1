"""Step settings mean what they say: a WAIT's unit, a message's text, and which events a
workflow answers (those of its own lifetime)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle, tags_of
from tests.factories import signup
from tests.messaging.helpers import captured, make_contact

FOLLOW_UP = {"type": "ADD_TAG", "config": {"tag": "followed-up"}}


@pytest.mark.parametrize("unit", ["day", "Days", "DAY"])
async def test_a_wait_in_days_spelled_singular_or_capitalised_waits_days(
    app: FastAPI, jobs: JobRuntime, unit: str
) -> None:
    actor = await signup(app)
    wait = {"type": "WAIT", "config": {"duration": 1, "unit": unit}}
    workflow = await make_workflow(actor, actions=[wait, FOLLOW_UP])
    contact = await make_contact(actor)
    await settle(jobs, now=utcnow() + timedelta(hours=2))
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "WAITING", run
    await settle(jobs, now=utcnow() + timedelta(days=1, minutes=1))
    assert "followed-up" in await tags_of(actor, contact["id"])


async def test_a_wait_in_weeks_waits_weeks(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    wait = {"type": "WAIT", "config": {"duration": 2, "unit": "weeks"}}
    await make_workflow(actor, actions=[wait, FOLLOW_UP])
    contact = await make_contact(actor)
    await settle(jobs, now=utcnow() + timedelta(days=13))
    assert "followed-up" not in await tags_of(actor, contact["id"])
    await settle(jobs, now=utcnow() + timedelta(days=14, minutes=1))
    assert "followed-up" in await tags_of(actor, contact["id"])


@pytest.mark.parametrize("kind", ["SEND_SMS", "SEND_EMAIL", "SEND_WHATSAPP"])
@pytest.mark.parametrize("config", [{}, {"message": ""}, {"subject": "Hi", "body": "  "}])
async def test_a_send_action_without_a_message_is_a_400_that_changes_nothing(
    app: FastAPI, kind: str, config: dict[str, Any]
) -> None:
    actor = await signup(app)
    workflow = await make_workflow(actor, actions=[FOLLOW_UP])
    body = {
        "name": "Say",
        "trigger": "CONTACT_CREATED",
        "actions": [{"type": kind, "config": config}],
    }
    created = await actor.client.post("/api/workflows", json=body)
    assert created.status_code == 400, created.text
    assert created.json()["details"][0]["field"] == "actions[0].config.message"
    updated = await actor.client.put(f"/api/workflows/{workflow['id']}", json=body)
    assert updated.status_code == 400, updated.text
    (stored,) = (await actor.client.get("/api/workflows")).json()["workflows"]
    assert stored["actions"] == workflow["actions"]


@pytest.mark.parametrize(
    ("kind", "config", "problem"),
    [
        ("SEND_SMS", {"message": "{{contact.customFields.greeting}}"}, "at least 1 character"),
        ("SEND_EMAIL", {"body": "{{contact.firstName}}" * 60}, "at most 10000 characters"),
        (
            "SEND_EMAIL",
            {"subject": "{{contact.firstName}}" * 6, "body": "Hello"},
            "at most 998 characters",
        ),
    ],
)
async def test_a_message_the_messages_api_would_refuse_fails_its_step_and_sends_nothing(
    app: FastAPI, jobs: JobRuntime, kind: str, config: dict[str, Any], problem: str
) -> None:
    actor = await signup(app)
    workflow = await make_workflow(actor, actions=[{"type": kind, "config": config}])
    await make_contact(actor, firstName="N" * 200)
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "FAILED", run
    assert problem in run["steps"][0]["error"]
    assert await captured(actor) == []


async def test_a_workflow_does_not_run_for_an_event_from_before_it_was_created(
    app: FastAPI, jobs: JobRuntime
) -> None:
    """Contacts created (imported, say) while the event queue is behind are not welcomed by a
    workflow created after them."""
    actor = await signup(app)
    earlier = await make_contact(actor)
    welcome = [{"type": "SEND_SMS", "config": {"message": "Welcome!"}}]
    workflow = await make_workflow(actor, actions=welcome)
    later = await make_contact(actor)
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["contactId"] == later["id"]
    assert await captured(actor, to=earlier["phone"]) == []
    assert len(await captured(actor, to=later["phone"])) == 1


@pytest.mark.parametrize("field", ["tags", "id", "createdAt", "companyId", "workspace_id"])
async def test_set_field_on_a_contact_field_it_cannot_set_is_a_400_not_a_custom_field(
    app: FastAPI, field: str
) -> None:
    actor = await signup(app)
    action = {"type": "SET_FIELD", "config": {"field": field, "value": "VIP"}}
    body = {"name": "Set", "trigger": "CONTACT_CREATED", "actions": [action]}
    created = await actor.client.post("/api/workflows", json=body)
    assert created.status_code == 400, created.text
    assert created.json()["details"][0]["field"] == "actions[0].config"
    rule = {"name": "r", "config": {"actions": [{"type": "set_field", "field": field}]}}
    refused = await actor.client.post("/api/automations", json=rule)
    assert refused.status_code == 400, refused.text
    assert refused.json()["details"][0]["field"] == "config.actions[0].field"
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []
    assert (await actor.client.get("/api/automations")).json() == []


async def test_set_field_still_sets_a_custom_field_of_that_name_when_asked_by_prefix(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    action = {"type": "SET_FIELD", "config": {"field": "customFields.tags", "value": "gold"}}
    await make_workflow(actor, actions=[action])
    contact = await make_contact(actor)
    await settle(jobs)
    stored = (await actor.client.get(f"/api/contacts/{contact['id']}")).json()
    assert stored.get("contact", stored)["customFields"] == {"tags": "gold"}
