"""Document 000's Workflows API examples, replayed unchanged over HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import settle, tags_of
from tests.factories import signup
from tests.messaging.helpers import captured, make_contact

WELCOME = {
    "name": "Welcome New Contacts",
    "trigger": "CONTACT_CREATED",
    "conditions": [],
    "actions": [
        {"type": "SEND_SMS", "config": {"message": "Welcome! Thanks for joining us."}},
        {"type": "ADD_TAG", "config": {"tag": "New Contact"}},
    ],
    "status": "ACTIVE",
}
VIP = {
    "name": "VIP Contact Notification",
    "trigger": "TAG_ADDED",
    "conditions": [{"field": "tags", "operator": "contains", "value": "VIP"}],
    "actions": [
        {
            "type": "SEND_EMAIL",
            "config": {
                "to": "admin@acmecorp.com",
                "subject": "New VIP Contact",
                "body": "A new VIP contact was added: {{contact.name}}",
            },
        }
    ],
    "status": "ACTIVE",
}


async def test_create_workflow_example(app: FastAPI) -> None:
    actor = await signup(app)
    response = await actor.client.post("/api/workflows", json=VIP)
    assert response.status_code == 201
    body = response.json()
    assert body.keys() >= {"id", "name", "status", "createdAt"}
    assert (body["name"], body["status"]) == ("VIP Contact Notification", "ACTIVE")
    assert body["createdAt"].endswith("Z")


async def test_list_workflows_example(app: FastAPI) -> None:
    actor = await signup(app)
    created = await actor.client.post("/api/workflows", json=WELCOME)
    inactive = await actor.client.post("/api/workflows", json=VIP | {"status": "INACTIVE"})
    assert (created.status_code, inactive.status_code) == (201, 201)
    response = await actor.client.get("/api/workflows?status=ACTIVE")
    assert response.status_code == 200
    (workflow,) = response.json()["workflows"]
    expected = {"id", "name", "trigger", "conditions", "actions", "status", "executionCount"}
    assert workflow.keys() >= expected | {"createdAt"}
    assert workflow["actions"] == WELCOME["actions"]
    assert (workflow["trigger"], workflow["executionCount"]) == ("CONTACT_CREATED", 0)


async def test_workflow_item_routes(app: FastAPI) -> None:
    actor = await signup(app)
    workflow_id = (await actor.client.post("/api/workflows", json=WELCOME)).json()["id"]
    got = await actor.client.get(f"/api/workflows/{workflow_id}")
    assert got.status_code == 200
    assert got.json()["name"] == WELCOME["name"]
    assert "webhookSecret" not in got.json()
    updated = await actor.client.put(f"/api/workflows/{workflow_id}", json={"status": "INACTIVE"})
    assert updated.status_code == 200
    assert updated.json()["status"] == "INACTIVE"
    runs = await actor.client.get(f"/api/workflows/{workflow_id}/runs")
    assert runs.status_code == 200
    assert runs.json()["runs"] == []
    deleted = await actor.client.delete(f"/api/workflows/{workflow_id}")
    assert deleted.status_code == 200
    assert deleted.json()["success"] is True
    assert (await actor.client.get(f"/api/workflows/{workflow_id}")).status_code == 404


async def test_welcome_example_texts_and_tags_each_new_contact(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    assert (await actor.client.post("/api/workflows", json=WELCOME)).status_code == 201
    contact = await make_contact(actor)
    await settle(jobs)
    (sms,) = await captured(actor, to=contact["phone"])
    assert sms["text"] == "Welcome! Thanks for joining us."
    assert "New Contact" in await tags_of(actor, contact["id"])


async def test_vip_example_emails_its_address_about_the_contact(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    assert (await actor.client.post("/api/workflows", json=VIP)).status_code == 201
    contact = await make_contact(actor, firstName="Ada", lastName="Lovelace", tags=["VIP"])
    await make_contact(actor, tags=["Regular"])
    await settle(jobs)
    (email,) = await captured(actor, to="admin@acmecorp.com")
    assert (email["subject"], email["text"]) == (
        "New VIP Contact",
        "A new VIP contact was added: Ada Lovelace",
    )
    assert await captured(actor, to=contact["email"]) == []
