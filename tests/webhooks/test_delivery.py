"""Events reach the endpoints that want them, signed, in order, retried on schedule."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from kindred.core.db import utcnow
from kindred.core.events.dispatch import dispatch_workspace
from kindred.core.jobs import Job
from kindred.core.jobs.runtime import JobRuntime
from kindred.webhooks import worker
from kindred.webhooks.repository import DeliveryQueue
from kindred.webhooks.service import DELIVER_TASK
from kindred.webhooks.tasks import deliver_due
from kindred.webhooks.worker import LEASE
from tests.factories import signup
from tests.webhooks.helpers import deliveries, make_contact, make_endpoint
from tests.webhooks.receiver import Receiver, verify


async def test_a_change_over_the_api_reaches_the_subscribed_endpoint_signed(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url, ["contact.created"])
    contact = await make_contact(actor)
    await jobs.runner.run_due()
    [request] = receiver.received
    assert verify(endpoint["secret"], request.headers, request.body)
    assert request.json["type"] == "contact.created"
    assert request.json["data"] == contact
    assert request.headers["webhook-id"]


async def test_an_event_reaches_no_endpoint_of_another_workspace(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    owner, stranger = await signup(app), await signup(app)
    await make_endpoint(stranger, receiver.url)
    await make_contact(owner)
    await jobs.runner.run_due()
    assert receiver.received == []


async def test_an_endpoint_gets_only_the_event_types_it_subscribed_to(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await signup(app)
    await make_endpoint(actor, receiver.url, ["contact.deleted"])
    contact = await make_contact(actor)
    await actor.client.patch(f"/api/contacts/{contact['id']}", json={"lastName": "Lovelace"})
    await actor.client.delete(f"/api/contacts/{contact['id']}")
    await jobs.runner.run_due()
    assert [event["type"] for event in receiver.events()] == ["contact.deleted"]
    assert receiver.events()[0]["data"]["lastName"] == "Lovelace"


async def test_a_filter_limits_deliveries_to_matching_contacts(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await signup(app)
    vip = {"match": "all", "conditions": [{"field": "tags", "operator": "has", "value": "vip"}]}
    await make_endpoint(actor, receiver.url, ["contact.created"], filter=vip)
    await make_contact(actor, firstName="Plain")
    await make_contact(actor, firstName="Grace", tags=["vip"])
    await jobs.runner.run_due()
    assert [event["data"]["firstName"] for event in receiver.events()] == ["Grace"]


async def test_a_filter_compares_a_number_custom_field_as_a_number(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await signup(app)
    field = {"name": "seats", "label": "Seats", "fieldType": "number"}
    assert (await actor.client.post("/api/fields", json=field)).status_code == 201
    big = {
        "match": "all",
        "conditions": [{"field": "customFields.seats", "operator": "gt", "value": 9}],
    }
    await make_endpoint(actor, receiver.url, ["contact.created"], filter=big)
    await make_contact(actor, firstName="Small", customFields={"seats": 9})
    await make_contact(actor, firstName="Large", customFields={"seats": 10})
    await jobs.runner.run_due()
    assert [event["data"]["firstName"] for event in receiver.events()] == ["Large"]


async def test_a_filter_on_a_number_field_refuses_a_text_operator(app: FastAPI) -> None:
    actor = await signup(app)
    field = {"name": "seats", "label": "Seats", "fieldType": "number"}
    assert (await actor.client.post("/api/fields", json=field)).status_code == 201
    wrong = {"field": "customFields.seats", "operator": "contains", "value": "1"}
    body = {"url": "http://127.0.0.1:9/hook", "events": ["*"]}
    response = await actor.client.post(
        "/api/webhook-endpoints", json=body | {"filter": {"match": "all", "conditions": [wrong]}}
    )
    assert response.status_code == 400, response.text


async def test_a_filter_reads_the_contacts_company(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await signup(app)
    customer = await actor.client.post("/api/companies", json={"name": "Acme", "isCustomer": True})
    assert customer.status_code == 201, customer.text
    only = {"field": "company.isCustomer", "operator": "eq", "value": True}
    await make_endpoint(
        actor, receiver.url, ["contact.created"], filter={"match": "all", "conditions": [only]}
    )
    await make_contact(actor, firstName="Loose")
    await make_contact(actor, firstName="Client", companyId=customer.json()["id"])
    await jobs.runner.run_due()
    assert [event["data"]["firstName"] for event in receiver.events()] == ["Client"]


async def _run_at(jobs: JobRuntime, moment: datetime) -> None:
    """What the scheduler tick does at `moment` for webhooks, then every job it made due."""
    async with jobs.database.session_scope() as session:
        await deliver_due(session, moment)
    await jobs.runner.run_due()


async def test_a_failing_receiver_gets_retries_on_schedule(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    receiver.reply = lambda _request: (500, {})
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url, ["contact.created"])
    await make_contact(actor)
    start = utcnow()
    await jobs.runner.run_due()
    await _run_at(jobs, start + timedelta(seconds=4))
    assert len(receiver.received) == 1
    await _run_at(jobs, start + timedelta(seconds=6))
    assert len(receiver.received) == 2
    await _run_at(jobs, start + timedelta(minutes=4))
    assert len(receiver.received) == 2
    await _run_at(jobs, start + timedelta(minutes=6))
    [delivery] = await deliveries(actor, endpoint["id"])
    assert delivery["attempts"] == 3
    assert len(receiver.received) == 3
    assert len({request.headers["webhook-id"] for request in receiver.received}) == 1
    assert [attempt["responseStatus"] for attempt in delivery["attemptLog"]] == [500] * 3
    next_attempt = datetime.fromisoformat(delivery["nextAttemptAt"])
    assert (
        timedelta(minutes=27)
        < next_attempt - (start + timedelta(minutes=6))
        < timedelta(minutes=33)
    )


async def test_retry_after_on_429_is_honoured(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    receiver.reply = lambda _request: (429, {"retry-after": "600"})
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url, ["contact.created"])
    await make_contact(actor)
    await jobs.runner.run_due()
    [delivery] = await deliveries(actor, endpoint["id"])
    waited = datetime.fromisoformat(delivery["nextAttemptAt"]) - utcnow()
    assert timedelta(minutes=9) < waited <= timedelta(minutes=10)


async def test_410_gone_disables_the_endpoint_with_a_reason(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    receiver.reply = lambda _request: (410, {})
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url)
    await make_contact(actor)
    await jobs.runner.run_due()
    shown = (await actor.client.get(f"/api/webhook-endpoints/{endpoint['id']}")).json()
    assert shown["enabled"] is False
    assert "410" in shown["disabledReason"]


async def test_three_days_of_failures_disable_the_endpoint(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    receiver.reply = lambda _request: (500, {})
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url)
    await make_contact(actor)
    start = utcnow()
    await jobs.runner.run_due()
    await make_contact(actor)
    await _run_at(jobs, start + timedelta(days=3, minutes=1))
    shown = (await actor.client.get(f"/api/webhook-endpoints/{endpoint['id']}")).json()
    assert shown["enabled"] is False
    assert "failed since" in shown["disabledReason"]


async def test_deliveries_for_one_contact_wait_for_the_earlier_one(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    receiver.reply = lambda _request: (500, {})
    actor = await signup(app)
    await make_endpoint(actor, receiver.url)
    contact = await make_contact(actor)
    await actor.client.patch(f"/api/contacts/{contact['id']}", json={"lastName": "Byron"})
    await jobs.runner.run_due()
    assert [event["type"] for event in receiver.events()] == ["contact.created"]
    receiver.reply = lambda _request: (200, {})
    await _run_at(jobs, utcnow() + timedelta(seconds=6))
    types = [event["type"] for event in receiver.events()]
    assert types == ["contact.created", "contact.created", "contact.updated"]


async def test_a_delivery_claimed_by_a_worker_that_died_is_sent_after_its_lease(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url)
    await make_contact(actor)
    async with jobs.database.session_scope() as session:
        await dispatch_workspace(session, uuid.UUID(actor.workspace_id))
    async with jobs.database.session_scope() as session:
        claimed = await DeliveryQueue(session).claim(uuid.UUID(endpoint["id"]), utcnow(), LEASE, 10)
    assert len(claimed) == 1
    await jobs.runner.run_due()
    assert receiver.received == []
    await _run_at(jobs, utcnow() + LEASE + timedelta(seconds=1))
    assert [event["type"] for event in receiver.events()] == ["contact.created"]


async def test_a_delivery_job_stopped_at_its_round_cap_hands_the_rest_to_a_follow_up(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "MAX_ROUNDS", 1)
    actor = await signup(app)
    await make_endpoint(actor, receiver.url, ["contact.created"])
    for _number in range(worker.BATCH + 5):
        await make_contact(actor)
    await jobs.runner.run_due()
    assert len(receiver.received) == worker.BATCH + 5


async def _delivery_jobs(jobs: JobRuntime, workspace_id: str) -> int:
    async with jobs.database.session_scope() as session:
        found = await session.scalars(
            select(Job).where(Job.name == DELIVER_TASK, Job.workspace_id == uuid.UUID(workspace_id))
        )
        return len(found.all())


async def test_a_due_retry_whose_endpoint_has_a_delivery_job_queued_gets_no_second_one(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    """The workers are behind: the endpoint's job from the first attempt's follow-up is still
    queued when the tick finds its retry due, tick after tick."""
    receiver.reply = lambda _request: (500, {})
    actor = await signup(app)
    await make_endpoint(actor, receiver.url, ["contact.created"])
    await make_contact(actor)
    await jobs.runner.run_due()
    later = utcnow() + timedelta(minutes=10)
    for _tick in range(3):
        async with jobs.database.session_scope() as session:
            await deliver_due(session, later)
    assert await _delivery_jobs(jobs, actor.workspace_id) == 2  # the first attempt's, and one retry
    await jobs.runner.run_due()
    assert len(receiver.received) == 2
