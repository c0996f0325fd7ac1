"""Live mode over SMTP: a campaign email reaches a local SMTP server (aiosmtpd) with its
sender and RFC 8058 one-click unsubscribe headers."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes

import pytest
from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from kindred.settings import Settings
from tests.campaigns.helpers import create, make_contact, run_jobs, send_campaign
from tests.databases import DatabaseFactory
from tests.factories import signup
from tests.messaging.helpers import settings_with
from tests.providers.test_outbound_clients import Inbox, local_smtp

BASE = "https://crm.example.test"


@pytest.fixture(scope="module")
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    with local_smtp() as server:
        yield server


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory,
    tmp_path_factory: pytest.TempPathFactory,
    smtp_inbox: tuple[Inbox, int],
) -> Settings:
    return await settings_with(
        databases,
        tmp_path_factory,
        public_base_url=BASE,
        delivery_mode="live",
        email_provider="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp_inbox[1],
        smtp_starttls=False,
        job_backoff_base_seconds=0,
    )


async def test_campaign_email_reaches_smtp_with_sender_and_unsubscribe_headers(
    app: FastAPI, jobs: JobRuntime, smtp_inbox: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp_inbox
    actor = await signup(app)
    contact = await make_contact(actor, tags=["smtp"])
    campaign = await create(
        actor, targetTags=["smtp"], fromName="Ada News", fromEmail="news@example.com"
    )
    await send_campaign(actor, jobs, campaign["id"])
    await run_jobs(jobs)  # the delivery task the batch queued
    [raw] = inbox.messages
    email = message_from_bytes(raw)
    assert email["To"] == contact["email"]
    assert email["From"] == "Ada News <news@example.com>"
    assert email["List-Unsubscribe"].startswith(f"<{BASE}/api/campaigns/unsubscribe?token=")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["status"], done["sentCount"]) == ("SENT", 1)


async def test_an_address_the_provider_refuses_turns_its_sent_row_failed(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["refused"])
    await make_contact(actor, tags=["refused"], email="ghost@refused.example.com")
    campaign = await create(actor, targetTags=["refused"])
    await send_campaign(actor, jobs, campaign["id"])
    await run_jobs(jobs)  # the delivery tasks, then the events they emitted
    await run_jobs(jobs)
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["sentCount"], done["failedCount"]) == (1, 1)
    rows = (await actor.client.get(f"/api/campaigns/{campaign['id']}/emails")).json()
    [failed] = [row for row in rows if row["status"] == "FAILED"]
    assert "No such user" in failed["reason"]


async def test_a_preview_to_an_address_that_is_no_contact_reaches_smtp(
    app: FastAPI, jobs: JobRuntime, smtp_inbox: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp_inbox
    actor = await signup(app)
    campaign = await create(actor, fromName="Ada News", fromEmail="news@example.com")
    sent = await actor.client.post(
        f"/api/campaigns/{campaign['id']}/preview", json={"email": "boss@example.com"}
    )
    assert sent.status_code == 200, sent.text
    await run_jobs(jobs)  # the preview task
    emails = [message_from_bytes(raw) for raw in inbox.messages]
    (email,) = [email for email in emails if email["To"] == "boss@example.com"]
    assert (email["Subject"], email["From"]) == ("Hi there", "Ada News <news@example.com>")
