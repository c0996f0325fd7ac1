"""Managing endpoints: secrets, rotation, tests, replays, the delivery log, the catalogue."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from tests.factories import signup
from tests.webhooks.helpers import deliveries, make_contact, make_endpoint
from tests.webhooks.receiver import Receiver, verify


async def test_the_secret_is_shown_at_creation_only(app: FastAPI, receiver: Receiver) -> None:
    actor = await signup(app)
    created = await make_endpoint(actor, receiver.url)
    assert created["secret"].startswith("whsec_")
    shown = (await actor.client.get(f"/api/webhook-endpoints/{created['id']}")).text
    listed = (await actor.client.get("/api/webhook-endpoints")).text
    assert created["secret"] not in shown + listed
    assert 'secret"' not in shown


async def test_an_unknown_event_type_is_refused(app: FastAPI, receiver: Receiver) -> None:
    actor = await signup(app)
    body = {"url": receiver.url, "events": ["contact.exploded"]}
    response = await actor.client.post("/api/webhook-endpoints", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "UNKNOWN_EVENT_TYPE"


async def test_an_invalid_filter_is_refused(app: FastAPI, receiver: Receiver) -> None:
    actor = await signup(app)
    bad = {"match": "all", "conditions": [{"field": "nope", "operator": "eq", "value": 1}]}
    body = {"url": receiver.url, "events": ["*"], "filter": bad}
    response = await actor.client.post("/api/webhook-endpoints", json=body)
    assert response.status_code == 400


async def test_members_cannot_manage_endpoints(app: FastAPI, receiver: Receiver) -> None:
    actor = await signup(app)
    member = await actor.add_member("member")
    response = await member.client.post(
        "/api/webhook-endpoints", json={"url": receiver.url, "events": ["*"]}
    )
    assert response.status_code == 403


async def test_event_types_list_every_type_with_its_schema(app: FastAPI) -> None:
    actor = await signup(app)
    types = (await actor.client.get("/api/event-types")).json()
    by_name = {item["type"]: item for item in types}
    assert {"contact.created", "tag.added", "deal.stage_changed"} <= by_name.keys()
    assert by_name["contact.created"]["schema"]["type"] == "object"


async def test_a_ping_is_sent_now_and_logged_without_secrets(
    app: FastAPI, receiver: Receiver
) -> None:
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url)
    response = await actor.client.post(f"/api/webhook-endpoints/{endpoint['id']}/test")
    assert response.status_code == 200, response.text
    delivery = response.json()
    [request] = receiver.received
    assert verify(endpoint["secret"], request.headers, request.body)
    assert request.json["type"] == "ping"
    assert delivery["status"] == "succeeded"
    [attempt] = delivery["attemptLog"]
    assert attempt["responseStatus"] == 200
    assert attempt["responseBody"] == "ok"
    assert endpoint["secret"] not in str(attempt["requestHeaders"])


async def test_after_rotation_both_secrets_verify_for_a_day(
    app: FastAPI, receiver: Receiver
) -> None:
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url)
    rotated = await actor.client.post(f"/api/webhook-endpoints/{endpoint['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    await actor.client.post(f"/api/webhook-endpoints/{endpoint['id']}/test")
    [request] = receiver.received
    assert verify(new_secret, request.headers, request.body)
    assert verify(endpoint["secret"], request.headers, request.body)
    expires = rotated.json()["previousSecretExpiresAt"]
    assert expires > (utcnow() + timedelta(hours=23)).isoformat().replace("+00:00", "Z")


async def test_a_delivery_replay_sends_the_same_event_again(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url)
    await make_contact(actor)
    await jobs.runner.run_due()
    [delivery] = await deliveries(actor, endpoint["id"])
    response = await actor.client.post(f"/api/webhook-deliveries/{delivery['id']}/replay")
    assert response.status_code == 202, response.text
    await jobs.runner.run_due()
    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert response.json()["replayOf"] == delivery["id"]


async def test_an_endpoint_replay_resends_every_event_since_a_time(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await signup(app)
    before = utcnow()
    await make_contact(actor)
    await make_contact(actor)
    await jobs.runner.run_due()
    endpoint = await make_endpoint(actor, receiver.url, ["contact.created"])
    response = await actor.client.post(
        f"/api/webhook-endpoints/{endpoint['id']}/replay",
        params={"since": before.isoformat()},
    )
    assert response.json() == {"replayed": 2}
    await jobs.runner.run_due()
    assert [event["type"] for event in receiver.events()] == ["contact.created"] * 2


async def test_deliveries_can_be_filtered_by_status_and_event(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url)
    contact = await make_contact(actor)
    await actor.client.delete(f"/api/contacts/{contact['id']}")
    await jobs.runner.run_due()
    deleted = await deliveries(actor, endpoint["id"], "?event=contact.deleted")
    assert [item["eventType"] for item in deleted] == ["contact.deleted"]
    assert await deliveries(actor, endpoint["id"], "?status=failed") == []


async def test_reenabling_clears_the_disabled_reason(app: FastAPI, receiver: Receiver) -> None:
    actor = await signup(app)
    endpoint = await make_endpoint(actor, receiver.url, enabled=False)
    response = await actor.client.patch(
        f"/api/webhook-endpoints/{endpoint['id']}", json={"enabled": True, "events": ["tag.added"]}
    )
    assert response.json()["enabled"] is True
    assert response.json()["events"] == ["tag.added"]


async def test_a_custom_field_an_endpoint_filter_compares_by_type_cannot_be_deleted(
    app: FastAPI, receiver: Receiver
) -> None:
    owner = await signup(app)
    field = {"name": "score", "label": "Score", "fieldType": "number", "sortOrder": 0}
    field_id = (await owner.client.post("/api/fields", json=field)).json()["id"]
    above_50 = {"field": "customFields.score", "operator": "gt", "value": 50}
    filter_ = {"match": "all", "conditions": [above_50]}
    await make_endpoint(owner, receiver.url, ["contact.created"], filter=filter_)
    response = await owner.client.delete(f"/api/fields/{field_id}")
    assert response.status_code == 409, response.text
    assert response.json()["details"] == [{"usedBy": f"webhook endpoint {receiver.url}"}]
