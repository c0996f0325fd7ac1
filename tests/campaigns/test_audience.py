"""Who a campaign goes to, as its segment changes under it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import create, make_contact, send_campaign
from tests.factories import Actor, signup

VIP = {"match": "all", "conditions": [{"field": "tags", "operator": "has", "value": "vip"}]}


async def _segment(actor: Actor) -> dict[str, Any]:
    response = await actor.client.post("/api/segments", json={"name": "VIPs", "filter": VIP})
    assert response.status_code == 201, response.text
    segment: dict[str, Any] = response.json()
    return segment


async def test_a_segment_a_campaign_will_send_to_cannot_be_deleted_from_under_it(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["vip"])
    await make_contact(actor, tags=["other"])
    segment = await _segment(actor)
    campaign = await create(actor, name="Spring", segmentId=segment["id"])
    later = (utcnow() + timedelta(days=1)).isoformat()
    held = await create(actor, name="Held", segmentId=segment["id"], scheduledAt=later)
    assert (await actor.client.post(f"/api/campaigns/{held['id']}/pause")).is_success
    refused = await actor.client.delete(f"/api/segments/{segment['id']}")
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "SEGMENT_IN_USE"
    assert 'campaign "Spring"' in refused.json()["error"]
    assert 'campaign "Held"' in refused.json()["error"]
    queued = await send_campaign(actor, jobs, campaign["id"])
    assert queued["recipients"] == 1  # the VIP only, never the whole workspace


async def test_a_segment_whose_campaigns_have_started_or_moved_on_can_be_deleted(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["vip"])
    segment = await _segment(actor)
    sent = await create(actor, segmentId=segment["id"])
    await send_campaign(actor, jobs, sent["id"])
    moved = await create(actor, segmentId=segment["id"])
    put = await actor.client.put(f"/api/campaigns/{moved['id']}", json={"segmentId": None})
    assert put.status_code == 200, put.text
    deleted = await actor.client.delete(f"/api/segments/{segment['id']}")
    assert deleted.status_code == 200, deleted.text
    assert (await actor.client.get(f"/api/campaigns/{sent['id']}")).json()["recipientsCount"] == 1
