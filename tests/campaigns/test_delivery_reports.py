"""What providers report after the batch: a bounce after a delivery moves the recipient from
deliveredCount to failedCount, whatever the order in which the reports arrive or are
processed, and however often (sandbox simulation, MailerSend's path)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.campaigns import tracking
from kindred.campaigns.models import CampaignRecipient
from kindred.campaigns.repository import RecipientRepository
from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.events import dispatch
from kindred.core.events.models import DomainEvent
from kindred.core.events.registry import CONSUMERS
from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import (
    captured,
    create,
    make_contact,
    run_jobs,
    send_campaign,
    signed_link,
)
from tests.databases import POSTGRES_URL
from tests.factories import Actor, signup

DELIVERY_CONSUMER = "campaigns.delivery"


async def _sent_campaign(actor: Actor, jobs: JobRuntime) -> tuple[str, str]:
    """A one-recipient email campaign, sent: (campaign id, the captured email's id)."""
    contact = await make_contact(actor, tags=["bounce"])
    campaign = await create(actor, targetTags=["bounce"])
    await send_campaign(actor, jobs, campaign["id"])
    [email] = await captured(actor, to=contact["email"])
    return campaign["id"], email["id"]


async def _report(actor: Actor, email_id: str, *events: str) -> None:
    for event in events:
        url = f"/api/sandbox/emails/{email_id}/simulate"
        response = await actor.client.post(url, json={"event": event})
        assert response.status_code == 200, response.text


async def _counters(actor: Actor, campaign_id: str) -> tuple[int, int, int]:
    campaign = (await actor.client.get(f"/api/campaigns/{campaign_id}")).json()
    return campaign["sentCount"], campaign["deliveredCount"], campaign["failedCount"]


async def _record(actor: Actor, campaign_id: str) -> dict[str, Any]:
    [record] = (await actor.client.get(f"/api/campaigns/{campaign_id}/emails")).json()
    return dict(record)


async def test_a_bounce_after_delivery_moves_the_recipient_from_delivered_to_failed(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    campaign_id, email_id = await _sent_campaign(actor, jobs)
    await _report(actor, email_id, "delivered")
    await run_jobs(jobs)
    assert await _counters(actor, campaign_id) == (1, 1, 0)
    await _report(actor, email_id, "bounced")
    await run_jobs(jobs)
    assert await _counters(actor, campaign_id) == (0, 0, 1)
    record = await _record(actor, campaign_id)
    assert (record["status"], record["reason"], record["deliveredAt"]) == (
        "FAILED",
        "Hard bounce",
        None,
    )


async def test_delivery_and_bounce_processed_together_count_the_recipient_failed_once(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    campaign_id, email_id = await _sent_campaign(actor, jobs)
    await _report(actor, email_id, "delivered", "delivered", "bounced", "bounced")
    await run_jobs(jobs)
    assert await _counters(actor, campaign_id) == (0, 0, 1)


async def test_a_delivery_reported_after_the_bounce_leaves_the_recipient_failed(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    campaign_id, email_id = await _sent_campaign(actor, jobs)
    await _report(actor, email_id, "bounced")
    await run_jobs(jobs)
    await _report(actor, email_id, "delivered", "bounced")
    await run_jobs(jobs)
    assert await _counters(actor, campaign_id) == (0, 0, 1)
    assert (await _record(actor, campaign_id))["status"] == "FAILED"


async def test_a_bounce_after_the_recipient_opened_the_email_leaves_it_sent(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contacts = [await make_contact(actor, tags=["opened"]) for _ in range(2)]
    campaign = await create(actor, targetTags=["opened"])
    await send_campaign(actor, jobs, campaign["id"])
    emails = [(await captured(actor, to=contact["email"]))[0] for contact in contacts]
    for email in emails:
        await _report(actor, email["id"], "delivered")
        opened = await actor.client.get(signed_link(email["html"], "/api/campaigns/open/"))
        assert opened.status_code == 200
    await _report(actor, emails[0]["id"], "bounced")
    await run_jobs(jobs)
    assert await _counters(actor, campaign["id"]) == (2, 2, 0)
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert done["openRate"] == 100


async def test_an_open_or_click_after_the_bounce_counts_in_no_rate(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contacts = [await make_contact(actor, tags=["late"]) for _ in range(2)]
    campaign = await create(actor, targetTags=["late"])
    await send_campaign(actor, jobs, campaign["id"])
    bounced, read = [(await captured(actor, to=contact["email"]))[0] for contact in contacts]
    await _report(actor, bounced["id"], "bounced")
    await run_jobs(jobs)
    opened = await actor.client.get(signed_link(bounced["html"], "/api/campaigns/open/"))
    clicked = await actor.client.get(signed_link(bounced["html"], "/api/campaigns/click/"))
    assert (opened.status_code, clicked.status_code) == (200, 302)
    await actor.client.get(signed_link(read["html"], "/api/campaigns/open/"))
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["sentCount"], done["failedCount"]) == (1, 1)
    assert (done["openCount"], done["clickCount"]) == (1, 0)
    assert (done["openRate"], done["clickRate"]) == (100, 0)


@pytest.fixture
def delivery_reports_late(monkeypatch: pytest.MonkeyPatch) -> None:
    """The campaigns' delivery consumer fails on its first two calls for a DELIVERED report
    (the dispatcher's batch and its one-by-one retry), so that it sees the later bounce
    first and the delivery on the retry, due at once."""
    consume = CONSUMERS[DELIVERY_CONSUMER]
    failed: list[str] = []

    async def late(session: AsyncSession, event: DomainEvent) -> None:
        status = (event.data.get("message") or {}).get("status")
        if status == "DELIVERED" and len(failed) < 2:
            failed.append(str(event.id))
            raise RuntimeError("the delivery report is processed late")
        await consume(session, event)

    monkeypatch.setitem(CONSUMERS, DELIVERY_CONSUMER, late)
    monkeypatch.setattr(dispatch, "RETRY_BASE", timedelta(0))


@pytest.mark.usefixtures("delivery_reports_late")
async def test_a_delivery_processed_after_the_bounce_does_not_count_it_delivered(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    campaign_id, email_id = await _sent_campaign(actor, jobs)
    await _report(actor, email_id, "delivered", "bounced")
    await run_jobs(jobs)
    assert await _counters(actor, campaign_id) == (0, 0, 1)
    await jobs.tick()  # the reconciler queues the delivery report's retry
    await run_jobs(jobs)
    assert await _counters(actor, campaign_id) == (0, 0, 1)
    record = await _record(actor, campaign_id)
    assert (record["status"], record["deliveredAt"]) == ("FAILED", None)


LOCK_WAIT = 0.3  # long enough for a statement that does not wait to have finished


async def _bounce(database: Database, campaign_id: uuid.UUID, contact_id: uuid.UUID) -> str | None:
    async with database.session_scope() as session:
        row = await session.get(CampaignRecipient, (campaign_id, contact_id))
        assert row is not None
        return await RecipientRepository(session, row.workspace_id).fail_sent(row, "Hard bounce")


@pytest.mark.postgres_only
@pytest.mark.skipif(not POSTGRES_URL, reason="a race of two PostgreSQL writers")
async def test_a_bounce_while_a_delivery_is_being_stamped_fails_the_recipient_once_delivered(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    """A bounce processed while a delivery report's transaction has stamped the row but not
    committed waits for it, then moves the recipient from delivered to failed."""
    actor = await signup(app)
    campaign_id, _ = await _sent_campaign(actor, jobs)
    async with database.session_scope() as delivering:
        [row] = await delivering.scalars(
            select(CampaignRecipient).where(CampaignRecipient.campaign_id == uuid.UUID(campaign_id))
        )
        rows = RecipientRepository(delivering, row.workspace_id)
        assert await rows.stamp_first(row, "delivered_at", utcnow(), status="SENT")
        bouncing = asyncio.create_task(_bounce(database, row.campaign_id, row.contact_id))
        await asyncio.sleep(LOCK_WAIT)
        assert not bouncing.done()  # it waits for the delivery's transaction
    assert await bouncing == "delivered"
    async with database.session_scope() as session:
        stored = await session.get(CampaignRecipient, (row.campaign_id, row.contact_id))
        assert stored is not None
        assert (stored.status, stored.delivered_at) == ("FAILED", None)


async def test_the_delivery_consumer_ignores_other_events_whatever_their_data_holds(
    database: Database,
) -> None:
    other = DomainEvent(workspace_id=uuid.uuid4(), type="form.submitted", data={"message": "Hi"})
    async with database.session_scope() as session:
        await tracking.delivered(session, other)  # a text `message` is no message's status
