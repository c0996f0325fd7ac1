"""Live SMS campaigns: Twilio's status callbacks move a recipient delivered, then failed when
Twilio reports the message undelivered after all (a local Twilio fake)."""

from __future__ import annotations

import uuid

import pytest
import respx
from fastapi import FastAPI
from httpx import AsyncClient

from kindred.core.jobs.runtime import JobRuntime
from kindred.settings import Settings
from tests.campaigns.helpers import create, make_contact, run_jobs, send_campaign
from tests.databases import DatabaseFactory
from tests.factories import Actor, signup
from tests.messaging.helpers import (
    AUTH_TOKEN,
    STATUS_URL,
    configure_twilio,
    post_signed,
    settings_with,
    unique_phone,
)
from tests.providers.fakes import TWILIO_BASE, FakeTwilio


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return await settings_with(
        databases,
        tmp_path_factory,
        delivery_mode="live",
        twilio_base_url=TWILIO_BASE,
        job_backoff_base_seconds=0,
    )


async def _counters(actor: Actor, campaign_id: str) -> tuple[int, int, int]:
    campaign = (await actor.client.get(f"/api/campaigns/{campaign_id}")).json()
    return campaign["sentCount"], campaign["deliveredCount"], campaign["failedCount"]


async def test_twilio_reporting_undelivered_after_delivered_fails_the_recipient(
    app: FastAPI, jobs: JobRuntime, client: AsyncClient
) -> None:
    fake = FakeTwilio("AC" + uuid.uuid4().hex, AUTH_TOKEN)
    actor = await signup(app)
    await configure_twilio(actor, unique_phone(), twilioAccountSid=fake.account_sid)
    await make_contact(actor, tags=["texts"])
    campaign = await create(actor, type="SMS", body="Sale on", targetTags=["texts"])
    with respx.mock:
        route = respx.post(fake.url()).mock(side_effect=fake)
        await send_campaign(actor, jobs, campaign["id"])
        await run_jobs(jobs)  # the delivery task the batch queued
    callback = {"MessageSid": route.calls.last.response.json()["sid"]}
    callback["AccountSid"] = fake.account_sid
    for status in ("delivered", "undelivered", "delivered"):
        form = callback | {"MessageStatus": status, "ErrorCode": "30005"}
        assert (await post_signed(client, form, url=STATUS_URL)).status_code == 204
        await run_jobs(jobs)
    assert await _counters(actor, campaign["id"]) == (0, 0, 1)
    [record] = (await actor.client.get(f"/api/campaigns/{campaign['id']}/emails")).json()
    assert (record["status"], record["reason"]) == ("FAILED", "Twilio error 30005")
