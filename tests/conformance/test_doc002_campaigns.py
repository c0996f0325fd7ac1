"""Document 002's campaign routes over HTTP: admin writes, session reads, send, preview,
emails and unsubscribe-status."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup
from tests.messaging.helpers import make_contact

CREATE = {
    "name": "November newsletter",
    "subject": "News for {{contact.firstName|default('you')}}",
    "body": "<p>Hello</p>",
    "fromName": "Acme",
    "fromEmail": "news@acme.example",
    "segmentId": None,
    "categoryId": None,
    "scheduledAt": None,
    "allowNoUnsubscribe": False,
}


async def test_campaign_crud_and_send(app: FastAPI) -> None:
    admin = await signup(app)
    created = await admin.client.post("/api/campaigns", json=CREATE)
    assert created.status_code == 201
    assert created.json()["status"] == "DRAFT"
    campaign_id = created.json()["id"]
    updated = await admin.client.put(f"/api/campaigns/{campaign_id}", json={"subject": "New"})
    assert updated.status_code == 200
    assert updated.json()["subject"] == "New"
    assert (await admin.client.get(f"/api/campaigns/{campaign_id}")).status_code == 200
    sent = await admin.client.post(f"/api/campaigns/{campaign_id}/send")
    assert sent.json() | {"queued": True, "message": "Campaign queued for sending."} == sent.json()
    assert (await admin.client.post(f"/api/campaigns/{campaign_id}/send")).status_code == 400
    emails = await admin.client.get(f"/api/campaigns/{campaign_id}/emails")
    assert isinstance(emails.json(), list)


async def test_delete_preview_and_unsubscribe_status(app: FastAPI) -> None:
    admin = await signup(app)
    contact = await make_contact(admin)
    campaign_id = (await admin.client.post("/api/campaigns", json=CREATE)).json()["id"]
    preview = await admin.client.post(
        f"/api/campaigns/{campaign_id}/preview", json={"email": contact["email"]}
    )
    assert preview.json()["success"] is True
    status = await admin.client.get("/api/campaigns/unsubscribe-status")
    assert status.json().keys() == {"secretConfigured", "listUnsubscribeEnabled"}
    deleted = await admin.client.delete(f"/api/campaigns/{campaign_id}")
    assert deleted.json()["success"] is True
    assert (await admin.client.get(f"/api/campaigns/{campaign_id}")).status_code == 404
