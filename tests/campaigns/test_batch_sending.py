"""The batched send path: credits running out part-way through a batch, the banlist checked for
a whole batch at once, the batch size and lanes, conversations left alone, captures filed under
their campaign, and opens and clicks counted once however often they repeat."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from kindred.billing.models import CreditEntry
from kindred.campaigns import sending, tracking
from kindred.campaigns.repository import RecipientRepository
from kindred.core.db.session import Database
from kindred.core.events import DomainEvent
from kindred.core.jobs.models import Job
from kindred.core.jobs.runtime import JobRuntime
from kindred.settings import Settings
from tests.campaigns.helpers import (
    captured,
    create,
    due_send_jobs,
    make_contact,
    run_jobs,
    send_campaign,
    signed_link,
)
from tests.conftest import client_for
from tests.databases import DatabaseFactory
from tests.factories import Actor, signup
from tests.messaging.helpers import send, settings_with

STARTING_CREDITS = 3


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return await settings_with(databases, tmp_path_factory, initial_credits=STARTING_CREDITS)


async def _rows(actor: Actor, campaign_id: str) -> list[dict[str, Any]]:
    response = await actor.client.get(f"/api/campaigns/{campaign_id}/emails")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


async def test_credits_running_out_mid_batch_skip_the_rest_with_one_ledger_entry(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    actor = await signup(app)
    for _ in range(5):
        await make_contact(actor, tags=["credit"])
    campaign = await create(actor, targetTags=["credit"])
    await send_campaign(actor, jobs, campaign["id"])
    statuses = sorted(row["status"] for row in await _rows(actor, campaign["id"]))
    assert statuses == ["SENT"] * STARTING_CREDITS + ["SKIPPED"] * 2
    reasons = [row["reason"] for row in await _rows(actor, campaign["id"]) if row["reason"]]
    assert all(reason.startswith("INSUFFICIENT_CREDITS") for reason in reasons)
    assert len(await captured(actor, campaignId=campaign["id"])) == STARTING_CREDITS
    async with database.session_scope() as session:
        charges = await session.scalars(
            select(CreditEntry.amount).where(
                CreditEntry.workspace_id == uuid.UUID(actor.workspace_id), CreditEntry.amount < 0
            )
        )
        assert list(charges) == [-STARTING_CREDITS]


async def test_banned_addresses_in_a_batch_are_skipped_and_the_others_sent(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    kept = await make_contact(actor, tags=["ban"])
    banned = await make_contact(actor, tags=["ban"])
    response = await actor.client.post("/api/auth/banned", json={"email": banned["email"]})
    assert response.status_code == 200
    campaign = await create(actor, targetTags=["ban"])
    await send_campaign(actor, jobs, campaign["id"])
    outcome = {row["contactId"]: row for row in await _rows(actor, campaign["id"])}
    assert outcome[kept["id"]]["status"] == "SENT"
    assert outcome[banned["id"]]["status"] == "SKIPPED"
    assert outcome[banned["id"]]["reason"].startswith("RECIPIENT_BANNED")
    assert await captured(actor, to=banned["email"]) == []


async def test_each_batch_job_claims_at_most_the_batch_size(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = await signup(app)
    for _ in range(3):
        await make_contact(actor, tags=["size"])
    campaign = await create(actor, targetTags=["size"])
    monkeypatch.setattr(sending, "SEND_BATCH", 1)
    monkeypatch.setattr(sending, "LANES", 1)
    queued = await actor.client.post(f"/api/campaigns/{campaign['id']}/send")
    assert queued.status_code == 200
    ran = 0
    while ran < 3:
        job_ids = await due_send_jobs(jobs, campaign["id"])
        assert len(job_ids) == 1  # one lane: one batch job at a time
        await jobs.runner.run(job_ids[0])
        ran += 1
        sent = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()["sentCount"]
        assert sent == ran


async def test_a_send_starts_one_batch_job_per_lane(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["lanes"])
    campaign = await create(actor, targetTags=["lanes"])
    assert (await actor.client.post(f"/api/campaigns/{campaign['id']}/send")).status_code == 200
    assert len(await due_send_jobs(jobs, campaign["id"])) == sending.LANES
    await run_jobs(jobs)
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["status"], done["sentCount"]) == ("SENT", 1)


async def _conversations(actor: Actor, channel: str) -> list[dict[str, Any]]:
    listed = await actor.client.get("/api/messages", params={"channel": channel})
    assert listed.status_code == 200, listed.text
    conversations: list[dict[str, Any]] = listed.json()["conversations"]
    return conversations


async def _thread(actor: Actor, conversation_id: str) -> list[str]:
    """The first line of each message (a campaign email's text ends with its unsubscribe link)."""
    found = await actor.client.get(f"/api/messages/{conversation_id}")
    assert found.status_code == 200, found.text
    return [message["content"].split("\n")[0] for message in found.json()["messages"]]


async def _message(actor: Actor, contact: dict[str, Any], content: str, channel: str) -> None:
    sent = await send(actor, contact["id"], channel, content=content)
    assert sent.status_code == 200, sent.text


async def test_a_campaign_opens_no_conversation_and_moves_none_up_the_inbox(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    talked_to = await make_contact(actor, tags=["news"])
    await make_contact(actor, tags=["news"])
    await _message(actor, talked_to, "Hi", "EMAIL")
    before = await _conversations(actor, "EMAIL")
    campaign = await create(actor, targetTags=["news"], body="<p>News</p>")
    await send_campaign(actor, jobs, campaign["id"])
    after = await _conversations(actor, "EMAIL")
    assert [c["contactId"] for c in after] == [talked_to["id"]]
    assert after[0]["lastMessage"]["createdAt"] == before[0]["lastMessage"]["createdAt"]
    assert await _thread(actor, after[0]["id"]) == ["Hi", "News"]


async def test_a_conversation_opened_after_a_campaign_shows_its_message_on_that_channel_only(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["later"])
    campaign = await create(actor, targetTags=["later"], body="<p>Offer</p>")
    await send_campaign(actor, jobs, campaign["id"])
    await _message(actor, contact, "Following up", "EMAIL")
    await _message(actor, contact, "Texting you", "SMS")
    (email,) = await _conversations(actor, "EMAIL")
    assert await _thread(actor, email["id"]) == ["Offer", "Following up"]
    (sms,) = await _conversations(actor, "SMS")
    assert await _thread(actor, sms["id"]) == ["Texting you"]


async def test_sandbox_captures_are_filed_under_their_campaign(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["filed"])
    first = await create(actor, targetTags=["filed"], name="First")
    await send_campaign(actor, jobs, first["id"])
    other = await create(actor, targetTags=["filed"], name="Other")
    await send_campaign(actor, jobs, other["id"])
    mine = await captured(actor, campaignId=first["id"])
    assert [email["to"] for email in mine] == [contact["email"]]
    assert len(await captured(actor, to=contact["email"])) == 2


async def test_repeated_opens_and_clicks_count_once(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["track"])
    await make_contact(actor, tags=["track"])
    campaign = await create(actor, targetTags=["track"])
    await send_campaign(actor, jobs, campaign["id"])
    html = (await captured(actor, to=contact["email"]))[0]["html"]
    pixel = signed_link(html, "/api/campaigns/open/")
    click = signed_link(html, "/api/campaigns/click/")
    for _ in range(3):
        assert (await actor.client.get(pixel)).status_code == 200
        assert (await actor.client.get(click)).status_code == 302
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["openRate"], done["clickRate"]) == (50, 50)


async def test_concurrent_opens_and_clicks_of_one_recipient_count_once(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["burst"])
    campaign = await create(actor, targetTags=["burst"])
    await send_campaign(actor, jobs, campaign["id"])
    html = (await captured(actor, to=contact["email"]))[0]["html"]
    links = [
        signed_link(html, "/api/campaigns/open/"),
        signed_link(html, "/api/campaigns/click/"),
    ] * 4
    async with client_for(app) as mail_client:  # a proxy fetching every link at once
        answers = await asyncio.gather(*(mail_client.get(link) for link in links))
    assert {answer.status_code for answer in answers} == {200, 302}
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["openCount"], done["clickCount"]) == (1, 1)


async def test_concurrent_delivery_reports_of_one_recipient_count_once(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["reported"])
    campaign = await create(actor, targetTags=["reported"])
    await send_campaign(actor, jobs, campaign["id"])
    workspace_id = uuid.UUID(actor.workspace_id)
    async with database.session_scope() as session:
        row = await RecipientRepository(session, workspace_id).get(
            uuid.UUID(campaign["id"]), uuid.UUID(contact["id"])
        )
        assert row is not None
    message = {"id": str(row.message_id), "campaignId": campaign["id"], "contactId": contact["id"]}
    reports = [
        DomainEvent(
            workspace_id=workspace_id,
            type="message.status_changed",
            data={"message": message | {"status": status}},
        )
        for status in ("DELIVERED", "READ", "DELIVERED")
    ]

    async def apply(report: DomainEvent) -> None:
        async with database.session_scope() as session:
            await tracking.delivered(session, report)

    await asyncio.gather(*(apply(report) for report in reports))
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert done["deliveredCount"] == 1


async def test_a_lane_queues_its_next_batch_after_the_last_contact_it_sent_to(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = await signup(app)
    ids = sorted([(await make_contact(actor, tags=["place"]))["id"] for _ in range(3)])
    campaign = await create(actor, targetTags=["place"])
    monkeypatch.setattr(sending, "SEND_BATCH", 2)
    monkeypatch.setattr(sending, "LANES", 1)
    assert (await actor.client.post(f"/api/campaigns/{campaign['id']}/send")).status_code == 200
    await jobs.runner.run((await due_send_jobs(jobs, campaign["id"]))[0])
    async with jobs.runner.database.session_scope() as session:
        payloads = await session.scalars(
            select(Job.payload).where(Job.name == sending.SEND_TASK, Job.status == "queued")
        )
        assert [payload.get("after") for payload in payloads] == [ids[1]]


async def test_a_lane_past_its_place_goes_back_for_rows_left_pending(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lane whose place is beyond every row (its rows were given back by a crashed batch
    after it moved on) looks again from the start instead of leaving them unsent."""
    actor = await signup(app)
    for _ in range(3):
        await make_contact(actor, tags=["behind"])
    campaign = await create(actor, targetTags=["behind"])
    monkeypatch.setattr(sending, "SEND_BATCH", 1)
    assert (await actor.client.post(f"/api/campaigns/{campaign['id']}/send")).status_code == 200
    async with jobs.runner.database.session_scope() as session:
        await session.execute(  # the lanes as queued, then each moved past the last contact
            Job.__table__.delete().where(Job.name == sending.SEND_TASK)
        )
        await sending.send_batch(
            session, app.state.settings, uuid.UUID(actor.workspace_id),
            uuid.UUID(campaign["id"]), after=uuid.UUID(int=2**128 - 1),
        )  # fmt: skip
    await run_jobs(jobs)
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["status"], done["sentCount"]) == ("SENT", 3)


async def test_a_recipient_row_is_not_found_from_another_workspace(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    actor, stranger = await signup(app), await signup(app)
    contact = await make_contact(actor, tags=["scoped"])
    campaign = await create(actor, targetTags=["scoped"])
    await send_campaign(actor, jobs, campaign["id"])
    keys = (uuid.UUID(campaign["id"]), uuid.UUID(contact["id"]))
    async with database.session_scope() as session:
        mine = await RecipientRepository(session, uuid.UUID(actor.workspace_id)).get(*keys)
        theirs = await RecipientRepository(session, uuid.UUID(stranger.workspace_id)).get(*keys)
    assert (mine is not None, theirs) == (True, None)
