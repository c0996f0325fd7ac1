"""Edits, deletes and sends of one campaign at once: each waits for the other's transaction
and then decides by what it left (PostgreSQL; SQLite runs one writer at a time)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from fastapi import FastAPI

from kindred.campaigns import sending, service
from kindred.campaigns.models import RecipientStatus
from kindred.campaigns.repository import RecipientRepository
from kindred.campaigns.schemas import CampaignUpdate
from kindred.campaigns.sending import Outcome
from kindred.core.db import utcnow
from kindred.core.db.session import Database
from tests.campaigns.helpers import create, make_contact
from tests.databases import POSTGRES_URL
from tests.factories import signup

LOCK_WAIT = 0.3  # long enough for a statement that does not wait to have finished
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not POSTGRES_URL, reason="a race of two PostgreSQL writers"),
]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_an_edit_or_delete_during_a_send_waits_for_it_then_is_refused(
    app: FastAPI, database: Database, method: str
) -> None:
    actor = await signup(app)
    campaign = await create(actor)
    url = f"/api/campaigns/{campaign['id']}"
    async with database.session_scope() as sending:
        await service.send_campaign(
            sending, app.state.settings, uuid.UUID(actor.workspace_id), uuid.UUID(campaign["id"])
        )
        editing = asyncio.create_task(
            actor.client.request(method, url, json={"body": "Changed"} if method == "PUT" else None)
        )
        await asyncio.sleep(LOCK_WAIT)
        assert not editing.done()  # it waits for the send's transaction
    refused = await editing
    assert refused.status_code == 400, refused.text
    stored = (await actor.client.get(url)).json()
    assert (stored["status"], stored["body"]) == ("SENDING", campaign["body"])


async def test_a_send_after_a_concurrent_edit_freezes_the_audience_the_edit_saved(
    app: FastAPI, database: Database
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["old"])
    new = await make_contact(actor, tags=["new"])
    campaign = await create(actor, targetTags=["old"])
    campaign_id = uuid.UUID(campaign["id"])
    async with database.session_scope() as sending:
        stale = await service.get_campaign(sending, uuid.UUID(actor.workspace_id), campaign_id)
        assert stale.target_tags == ["old"]  # read before the edit below commits
        edited = await actor.client.put(
            f"/api/campaigns/{campaign['id']}", json={"targetTags": ["new"]}
        )
        assert edited.status_code == 200, edited.text
        await service.send_campaign(
            sending, app.state.settings, uuid.UUID(actor.workspace_id), campaign_id
        )
    emails = await actor.client.get(f"/api/campaigns/{campaign['id']}/emails")
    assert [row["contactId"] for row in emails.json()] == [new["id"]]


async def test_a_resume_during_an_edit_that_reschedules_waits_and_keeps_the_new_time(
    app: FastAPI, database: Database
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["r"])
    campaign = await create(actor, targetTags=["r"])
    url = f"/api/campaigns/{campaign['id']}"
    assert (await actor.client.post(f"{url}/send")).status_code == 200
    assert (await actor.client.post(f"{url}/pause")).status_code == 200
    later = CampaignUpdate(scheduled_at=utcnow() + timedelta(days=1))
    async with database.session_scope() as editing:
        await service.update_campaign(
            editing, uuid.UUID(actor.workspace_id), uuid.UUID(campaign["id"]), later
        )
        resuming = asyncio.create_task(actor.client.post(f"{url}/resume"))
        await asyncio.sleep(LOCK_WAIT)
        assert not resuming.done()  # it waits for the edit's transaction
    resumed = await resuming
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "SCHEDULED"  # not SENDING before its new time


async def test_the_scheduler_tick_passes_by_a_due_campaign_being_deleted(
    app: FastAPI, database: Database
) -> None:
    """The tick leaves a campaign locked by an edit or delete for its next run: waiting for a
    delete, it found the campaign gone and failed, which rolled back every other start."""
    actor = await signup(app)
    due = await create(actor, scheduledAt=(utcnow() - timedelta(minutes=1)).isoformat())
    async with database.session_scope() as deleting:
        await service.delete_campaign(deleting, uuid.UUID(actor.workspace_id), uuid.UUID(due["id"]))
        ticking = asyncio.create_task(_tick(app, database))
        await asyncio.sleep(LOCK_WAIT)
    await ticking  # it raised before, rolling back every other start of the tick
    assert (await actor.client.get(f"/api/campaigns/{due['id']}")).status_code == 404


async def _tick(app: FastAPI, database: Database) -> None:
    async with database.session_scope() as session:
        await service.start_due(session, app.state.settings, utcnow())


async def test_a_cancel_during_a_batch_leaves_the_batchs_rows_to_it_and_waits_for_nothing(
    app: FastAPI, database: Database
) -> None:
    """The cancel skipped the batch's rows only after waiting for the batch, which waited to
    add its counters to the campaign row the cancel held: a deadlock, one of them aborted."""
    actor = await signup(app)
    people = [await make_contact(actor, tags=["c"]) for _ in range(3)]
    campaign = await create(actor, targetTags=["c"])
    url = f"/api/campaigns/{campaign['id']}"
    assert (await actor.client.post(f"{url}/send")).status_code == 200
    workspace_id, campaign_id = uuid.UUID(actor.workspace_id), uuid.UUID(campaign["id"])
    async with database.session_scope() as batch:
        sent = await service.get_campaign(batch, workspace_id, campaign_id)
        [first] = await RecipientRepository(batch, workspace_id).claim(campaign_id, 1)
        cancelling = asyncio.create_task(actor.client.post(f"{url}/cancel"))
        await asyncio.wait({cancelling}, timeout=5)
        assert cancelling.done()  # not waiting for the batch's rows
        await sending.record_outcomes(batch, sent, [Outcome(first, RecipientStatus.SENT)])
    assert (await cancelling).status_code == 200
    rows = (await actor.client.get(f"{url}/emails")).json()
    statuses = {row["contactId"]: row["status"] for row in rows}
    assert statuses == {p["id"]: "SENT" if p["id"] == str(first) else "SKIPPED" for p in people}
    assert (await actor.client.get(url)).json()["sentCount"] == 1
