"""Deals, leads and appointments emit their events with the change, and endpoints receive them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kindred.core.db.session import Database
from kindred.core.jobs.runtime import JobRuntime
from tests.core.events.helpers import recorded
from tests.factories import Actor, signup
from tests.pipeline_helpers import make_appointment, make_contact, make_deal, make_lead
from tests.webhooks.helpers import make_endpoint
from tests.webhooks.receiver import Receiver

PIPELINE = ["deal.stage_changed", "lead.created", "lead.converted", "appointment.scheduled"]


async def received(jobs: JobRuntime, receiver: Receiver) -> list[Any]:
    await jobs.runner.run_due()
    return [event for event in receiver.events() if event["type"] in PIPELINE]


async def subscribed(app: FastAPI, receiver: Receiver) -> Actor:
    actor = await signup(app)
    await make_endpoint(actor, receiver.url, PIPELINE)
    return actor


async def test_a_stage_move_sends_deal_stage_changed_with_the_deal_as_shown(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver, database: Database
) -> None:
    actor = await subscribed(app, receiver)
    contact_id = await make_contact(actor)
    deal = await make_deal(actor, contactIds=[contact_id])
    moved = await actor.client.patch(
        f"/api/deals/{deal['id']}/stage", json={"stage": "NEGOTIATION"}
    )
    assert moved.status_code == 200, moved.text
    [event] = await received(jobs, receiver)
    assert event["type"] == "deal.stage_changed"
    assert event["data"] == {
        "deal": moved.json(),
        "fromStage": "PROPOSAL",
        "toStage": "NEGOTIATION",
    }
    [stored] = [row for row in await recorded(database, actor) if row.type == event["type"]]
    assert str(stored.contact_id) == contact_id


async def test_a_refused_stage_move_sends_nothing(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await subscribed(app, receiver)
    deal = await make_deal(actor)
    refused = await actor.client.patch(f"/api/deals/{deal['id']}/stage", json={"stage": "NOPE"})
    assert refused.status_code == 400
    assert await received(jobs, receiver) == []


async def test_creating_and_converting_a_lead_send_their_events(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await subscribed(app, receiver)
    lead = await make_lead(actor)
    body = {"contactData": {"firstName": "Maria"}}
    converted = await actor.client.post(f"/api/leads/{lead['id']}/convert", json=body)
    assert converted.status_code == 200, converted.text
    # Two deliveries, each its own job: webhooks promise no order between them.
    sent = {event["type"]: event for event in await received(jobs, receiver)}
    assert sent.keys() == {"lead.created", "lead.converted"}
    assert sent["lead.created"]["data"] == {"lead": lead}
    conversion = sent["lead.converted"]
    assert conversion["data"]["lead"]["status"] == "CONVERTED"
    assert conversion["data"]["contact"]["id"] == converted.json()["contactId"]
    assert conversion["data"]["contact"]["firstName"] == "Maria"


async def test_a_refused_conversion_sends_no_lead_converted(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await subscribed(app, receiver)
    lead = await make_lead(actor)
    taken = {"firstName": "Ann", "email": f"ann-{lead['id'][:8]}@example.com"}
    assert (await actor.client.post("/api/contacts", json=taken)).status_code == 201
    body = {"contactData": {"email": taken["email"]}}
    refused = await actor.client.post(f"/api/leads/{lead['id']}/convert", json=body)
    assert refused.status_code == 409, refused.text
    assert [event["type"] for event in await received(jobs, receiver)] == ["lead.created"]


async def test_booking_an_appointment_sends_appointment_scheduled(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await subscribed(app, receiver)
    appointment = await make_appointment(actor)
    [event] = await received(jobs, receiver)
    assert (event["type"], event["data"]) == (
        "appointment.scheduled",
        {"appointment": appointment},
    )


async def test_a_refused_booking_sends_nothing(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await subscribed(app, receiver)
    first = await make_appointment(actor)
    overlapping = {"title": "Clash", "startTime": first["startTime"], "endTime": first["endTime"]}
    refused = await actor.client.post("/api/appointments", json=overlapping)
    assert refused.status_code == 409
    assert [event["data"]["appointment"]["id"] for event in await received(jobs, receiver)] == [
        first["id"]
    ]
