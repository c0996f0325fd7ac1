"""Each event trigger starts its workflow from the API action that causes the event, and its
triggerConfig and conditions choose which events do."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle, tags_of
from tests.factories import Actor, signup
from tests.messaging.helpers import (
    captured,
    configure_twilio,
    make_contact,
    post_signed,
    twilio_form,
    unique_phone,
)
from tests.pipeline_helpers import make_appointment, make_deal, make_lead

ALICE = [{"field": "firstName", "operator": "eq", "value": "Alice"}]


async def _tagging(actor: Actor, trigger: str, tag: str, **fields: Any) -> dict[str, Any]:
    """A workflow on `trigger` that tags its contact `tag`."""
    actions = [{"type": "ADD_TAG", "config": {"tag": tag}}]
    return await make_workflow(actor, trigger=trigger, actions=actions, **fields)


async def _event_types(actor: Actor, workflow: dict[str, Any]) -> list[str]:
    """The event type of each run the workflow made (all completed)."""
    runs = await runs_of(actor, workflow["id"])
    assert {run["status"] for run in runs} <= {"COMPLETED"}, runs
    return [run["eventType"] for run in runs]


async def _tag_route(actor: Actor, contact_id: str, tag_id: str, method: str) -> None:
    path = f"/api/contacts/{contact_id}/tags"
    response = await actor.client.request(method, path, json={"tagId": tag_id})
    assert response.status_code == 200, response.text


async def test_contact_updated_starts_on_a_contact_update(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    workflow = await _tagging(actor, "CONTACT_UPDATED", "updated")
    await settle(jobs)
    assert await _event_types(actor, workflow) == []
    changed = await actor.client.put(f"/api/contacts/{contact['id']}", json={"company": "Acme"})
    assert changed.status_code == 200, changed.text
    await settle(jobs)
    # The second run comes from the first's own tagging (a contact update too); it tags nothing.
    assert await _event_types(actor, workflow) == ["contact.updated", "contact.updated"]
    assert "updated" in await tags_of(actor, contact["id"])


async def test_a_contact_update_that_changes_nothing_starts_no_contact_updated_run(
    app: FastAPI, jobs: JobRuntime
) -> None:
    """A workflow setting a field on CONTACT_UPDATED is started again by its own change once,
    and that run, which changes nothing, starts no other (no chain up to the loop bound)."""
    actor = await signup(app)
    company = {"type": "SET_FIELD", "config": {"field": "company", "value": "Acme"}}
    workflow = await make_workflow(actor, trigger="CONTACT_UPDATED", actions=[company])
    contact = await make_contact(actor, company="Acme")
    same = await actor.client.put(f"/api/contacts/{contact['id']}", json={"company": "Acme"})
    assert same.status_code == 200, same.text
    await settle(jobs)
    assert await _event_types(actor, workflow) == []
    changed = await actor.client.put(f"/api/contacts/{contact['id']}", json={"company": "Other"})
    assert changed.status_code == 200, changed.text
    await settle(jobs)
    assert await _event_types(actor, workflow) == ["contact.updated", "contact.updated"]


async def test_tag_added_and_removed_start_only_for_their_configured_tag(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    added = await _tagging(actor, "TAG_ADDED", "saw-add", triggerConfig={"tag": "gold"})
    removed = await _tagging(actor, "TAG_REMOVED", "saw-remove", triggerConfig={"tag": "GOLD"})
    for name in ("silver", "gold"):
        tag = await actor.client.post("/api/tags", json={"name": name})
        assert tag.status_code == 201, tag.text
        await _tag_route(actor, contact["id"], tag.json()["id"], "POST")
        await _tag_route(actor, contact["id"], tag.json()["id"], "DELETE")
    await settle(jobs)
    assert await _event_types(actor, added) == ["tag.added"]
    assert await _event_types(actor, removed) == ["tag.removed"]
    assert {"saw-add", "saw-remove"} <= set(await tags_of(actor, contact["id"]))


async def test_deal_stage_changed_starts_only_for_its_configured_stage(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    workflow = await _tagging(
        actor, "DEAL_STAGE_CHANGED", "won", triggerConfig={"toStage": "closed_won"}
    )
    deal = await make_deal(actor, contactIds=[contact["id"]])
    for stage in ("NEGOTIATION", "CLOSED_WON"):
        moved = await actor.client.patch(f"/api/deals/{deal['id']}/stage", json={"stage": stage})
        assert moved.status_code == 200, moved.text
    await settle(jobs)
    assert await _event_types(actor, workflow) == ["deal.stage_changed"]
    assert "won" in await tags_of(actor, contact["id"])


async def test_conditions_hold_for_the_contact_a_deal_or_appointment_event_names(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    alice = await make_contact(actor)
    bob = await make_contact(actor, firstName="Bob")
    moved = await _tagging(actor, "DEAL_STAGE_CHANGED", "moved", conditions=ALICE)
    booked = await _tagging(actor, "APPOINTMENT_SCHEDULED", "booked", conditions=ALICE)
    for contact in (alice, bob):
        deal = await make_deal(actor, contactIds=[contact["id"]])
        path = f"/api/deals/{deal['id']}/stage"
        assert (await actor.client.patch(path, json={"stage": "NEGOTIATION"})).status_code == 200
        await make_appointment(actor, contactId=contact["id"], allowOverlap=True)
    await settle(jobs)
    assert await _event_types(actor, moved) == ["deal.stage_changed"]
    assert await _event_types(actor, booked) == ["appointment.scheduled"]
    assert {"moved", "booked"} <= set(await tags_of(actor, alice["id"]))
    assert not {"moved", "booked"} & set(await tags_of(actor, bob["id"]))


async def test_lead_created_starts_a_run_without_a_contact(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    sales = await make_contact(actor)  # the run has no contact: it emails a contact's address
    config = {"to": sales["email"], "subject": "New lead", "body": "Call them"}
    workflow = await make_workflow(
        actor, trigger="LEAD_CREATED", actions=[{"type": "SEND_EMAIL", "config": config}]
    )
    await make_lead(actor)
    await settle(jobs)
    assert await _event_types(actor, workflow) == ["lead.created"]
    assert (await runs_of(actor, workflow["id"]))[0]["contactId"] is None
    assert len(await captured(actor, to=sales["email"])) == 1


async def test_conditions_on_lead_created_are_a_400_as_no_contact_could_meet_them(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    conditions = [{"field": "tags", "operator": "contains", "value": "VIP"}]
    actions = [{"type": "SEND_EMAIL", "config": {"to": "sales@example.com", "body": "New lead"}}]
    body = {"name": "L", "trigger": "LEAD_CREATED", "conditions": conditions, "actions": actions}
    refused = await actor.client.post("/api/workflows", json=body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["details"][0]["field"] == "conditions"
    workflow = await make_workflow(actor, trigger="LEAD_CREATED", actions=actions)
    path = f"/api/workflows/{workflow['id']}"
    assert (await actor.client.put(path, json={"conditions": conditions})).status_code == 400


async def test_message_received_starts_on_an_inbound_sms_of_its_channel(
    app: FastAPI, jobs: JobRuntime, client: AsyncClient
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    sms = await _tagging(actor, "MESSAGE_RECEIVED", "texted", triggerConfig={"channel": "sms"})
    email = await _tagging(actor, "MESSAGE_RECEIVED", "mailed", triggerConfig={"channel": "EMAIL"})
    ours = unique_phone()
    await configure_twilio(actor, ours)
    answer = await post_signed(client, twilio_form(From=contact["phone"], To=ours, Body="Hi"))
    assert answer.status_code == 200, answer.text
    await settle(jobs)
    assert await _event_types(actor, sms) == ["message.received"]
    assert await _event_types(actor, email) == []
    assert "texted" in await tags_of(actor, contact["id"])


async def test_appointment_scheduled_starts_on_a_booking(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    workflow = await _tagging(actor, "APPOINTMENT_SCHEDULED", "booked")
    await make_appointment(actor, contactId=contact["id"])
    await settle(jobs)
    assert await _event_types(actor, workflow) == ["appointment.scheduled"]
    assert "booked" in await tags_of(actor, contact["id"])


@pytest.mark.parametrize(
    ("trigger", "config", "field"),
    [
        ("TAG_ADDED", {"tag": ["VIP"]}, "tag"),
        ("DEAL_STAGE_CHANGED", {"toStage": {"key": "CLOSED_WON"}}, "toStage"),
        ("DEAL_STAGE_CHANGED", {"toStage": "WON"}, "toStage"),  # no pipeline has it
        ("DEAL_STAGE_CHANGED", {"toStage": "closed_won", "fromStage": "Closed won"}, "fromStage"),
        ("MESSAGE_RECEIVED", {"channel": "pigeon"}, "channel"),
        ("FORM_SUBMITTED", {"formId": True}, "formId"),
    ],
)
async def test_a_trigger_option_no_event_could_match_is_a_400(
    app: FastAPI, trigger: str, config: dict[str, Any], field: str
) -> None:
    actor = await signup(app)
    actions = [{"type": "ADD_TAG", "config": {"tag": "seen"}}]
    body = {"name": "T", "trigger": trigger, "triggerConfig": config, "actions": actions}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == f"triggerConfig.{field}"
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []


async def test_conditions_take_match_and_tag_operators_in_any_case(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    conditions = [{"field": "tags", "operator": "CONTAINS", "value": "vip"}]
    tag_it = [{"type": "ADD_TAG", "config": {"tag": "seen"}}]
    workflow = await make_workflow(actor, match="ALL", conditions=conditions, actions=tag_it)
    assert workflow["match"] == "all"
    await make_contact(actor, tags=["VIP"])
    await make_contact(actor, tags=["other"])
    await settle(jobs)
    assert [run["status"] for run in await runs_of(actor, workflow["id"])] == ["COMPLETED"]
