"""Who a campaign goes to, as its segment changes under it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from kindred.campaigns.models import Campaign
from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.jobs.runtime import JobRuntime
from kindred.segments import service as segments
from kindred.segments.errors import SegmentInUse, SegmentNotFound
from tests.campaigns.helpers import create, make_contact, send_campaign
from tests.databases import POSTGRES_URL
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


# SQLite runs one writer at a time: no such race there.
saving_race = pytest.mark.skipif(not POSTGRES_URL, reason="a race of two PostgreSQL writers")
LOCK_WAIT = 0.3  # long enough for a statement that does not wait to have finished


async def _delete_segment(database: Database, workspace_id: uuid.UUID, segment_id: str) -> None:
    async with database.session_scope() as session:
        await segments.delete_segment(session, workspace_id, uuid.UUID(segment_id))


async def _hold_segment(database: Database, workspace_id: uuid.UUID, segment_id: str) -> None:
    async with database.session_scope() as session:
        await segments.hold_segment(session, workspace_id, uuid.UUID(segment_id))


@pytest.mark.postgres_only
@saving_race
async def test_a_segment_deleted_while_a_campaign_is_saved_with_it_stays_its_audience(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    segment = await _segment(actor)
    database, workspace_id = app.state.database, uuid.UUID(actor.workspace_id)
    async with database.session_scope() as saving:
        await segments.hold_segment(saving, workspace_id, uuid.UUID(segment["id"]))
        deleting = asyncio.create_task(_delete_segment(database, workspace_id, segment["id"]))
        await asyncio.sleep(LOCK_WAIT)
        assert not deleting.done()  # it waits for the campaign's transaction
        saving.add(Campaign(workspace_id=workspace_id, name="Raced", segment_id=segment["id"]))
    with pytest.raises(SegmentInUse):
        await deleting
    [campaign] = (await actor.client.get("/api/campaigns")).json()["campaigns"]
    assert campaign["segmentId"] == segment["id"]  # not null: not the whole workspace


@pytest.mark.postgres_only
@saving_race
async def test_a_campaign_saved_while_its_segment_is_deleted_finds_it_gone(app: FastAPI) -> None:
    actor = await signup(app)
    segment = await _segment(actor)
    database, workspace_id = app.state.database, uuid.UUID(actor.workspace_id)
    async with database.session_scope() as deleting:
        await segments.delete_segment(deleting, workspace_id, uuid.UUID(segment["id"]))
        saving = asyncio.create_task(_hold_segment(database, workspace_id, segment["id"]))
        await asyncio.sleep(LOCK_WAIT)
        assert not saving.done()  # it waits for the delete's transaction
    with pytest.raises(SegmentNotFound):
        await saving
