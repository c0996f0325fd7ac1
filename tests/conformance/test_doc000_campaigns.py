"""Document 000's campaign examples over HTTP: list envelope, create, send."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup
from tests.messaging.helpers import make_contact

CREATE = {
    "name": "New Product Launch",
    "type": "EMAIL",
    "targetTags": ["Prospect"],
    "subject": "Introducing Our New Service",
    "message": "<p>We're excited to announce...</p>",
    "scheduledAt": "2035-11-20T10:00:00.000Z",
}
LIST_KEYS = {"id", "name", "type", "status", "targetTags", "message", "scheduledAt",
             "sentCount", "openRate", "clickRate", "createdAt"}  # fmt: skip


async def test_create_campaign_example_is_scheduled(app: FastAPI) -> None:
    actor = await signup(app)
    created = await actor.client.post("/api/campaigns", json=CREATE)
    assert created.status_code == 201
    body = created.json()
    assert body.keys() >= {"id", "name", "type", "status", "createdAt"}
    assert (body["name"], body["type"], body["status"]) == (
        "New Product Launch",
        "EMAIL",
        "SCHEDULED",
    )


async def test_list_campaigns_example_shape(app: FastAPI) -> None:
    actor = await signup(app)
    sms = CREATE | {"name": "Holiday Promotion", "type": "SMS", "targetTags": ["Customer", "VIP"]}
    await actor.client.post("/api/campaigns", json=sms)
    listed = await actor.client.get("/api/campaigns?type=SMS&status=ACTIVE")
    assert listed.status_code == 200
    (campaign,) = listed.json()["campaigns"]
    assert campaign.keys() >= LIST_KEYS
    assert campaign["targetTags"] == ["Customer", "VIP"]
    assert (campaign["sentCount"], campaign["openRate"], campaign["clickRate"]) == (0, 0, 0)


async def test_active_lists_campaigns_in_play_and_an_unknown_status_is_a_400(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    scheduled = (await actor.client.post("/api/campaigns", json=CREATE)).json()
    await actor.client.post("/api/campaigns", json=CREATE | {"scheduledAt": None})
    active = (await actor.client.get("/api/campaigns?status=active")).json()["campaigns"]
    assert [campaign["id"] for campaign in active] == [scheduled["id"]]
    drafts = (await actor.client.get("/api/campaigns?status=DRAFT")).json()["campaigns"]
    assert [campaign["status"] for campaign in drafts] == ["DRAFT"]
    unknown = await actor.client.get("/api/campaigns?status=LIVE")
    assert unknown.status_code == 400
    assert unknown.json()["details"][0]["field"] == "status"


async def test_send_campaign_example_answers_success(app: FastAPI) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["Prospect"])
    created = (await actor.client.post("/api/campaigns", json=CREATE)).json()
    sent = await actor.client.post(f"/api/campaigns/{created['id']}/send")
    assert sent.status_code == 200
    assert sent.json().keys() >= {"success", "sentCount", "failedCount", "message"}
    assert sent.json()["success"] is True
    assert sent.json()["recipients"] == 1
