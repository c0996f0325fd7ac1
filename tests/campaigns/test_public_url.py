"""Live email campaigns need the server's public URL: without it their unsubscribe, open and
click links would be relative, useless in an inbox. Sending, previewing and a scheduled start
are refused, saying so, and nothing is frozen or sent; SMS needs no link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI

from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from kindred.settings import Settings
from tests.campaigns.helpers import create, make_contact
from tests.databases import DatabaseFactory
from tests.factories import signup
from tests.messaging.helpers import settings_with

REFUSED = "PUBLIC_BASE_URL_REQUIRED"


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return await settings_with(
        databases, tmp_path_factory, delivery_mode="live", public_base_url=None
    )


async def test_sending_an_email_campaign_live_without_a_public_url_is_a_409_that_changes_nothing(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["news"])
    campaign = await create(actor, targetTags=["news"])
    path = f"/api/campaigns/{campaign['id']}"
    response = await actor.client.post(f"{path}/send")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == REFUSED
    assert "KINDRED_PUBLIC_BASE_URL" in response.json()["error"]
    stored = (await actor.client.get(path)).json()
    assert (stored["status"], stored["startedAt"], stored["recipientsCount"]) == ("DRAFT", None, 0)


async def test_a_preview_live_without_a_public_url_is_a_409(app: FastAPI) -> None:
    actor = await signup(app)
    campaign = await create(actor)
    response = await actor.client.post(
        f"/api/campaigns/{campaign['id']}/preview", json={"email": "me@example.com"}
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == REFUSED


async def test_a_scheduled_email_campaign_live_without_a_public_url_fails_saying_why(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["due"])
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    campaign = await create(actor, scheduledAt=past, targetTags=["due"])
    await jobs.tick(now=utcnow())
    failed = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (failed["status"], failed["recipientsCount"]) == ("FAILED", 0)
    assert "KINDRED_PUBLIC_BASE_URL" in failed["failureReason"]


async def test_an_sms_campaign_is_sent_live_without_a_public_url(app: FastAPI) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["texts"])
    campaign = await create(actor, type="SMS", body="Sale on", targetTags=["texts"])
    response = await actor.client.post(f"/api/campaigns/{campaign['id']}/send")
    assert response.status_code == 200, response.text
    assert response.json()["recipients"] == 1
