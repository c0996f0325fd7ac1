"""The scheduler's start of due campaigns: what it does with a schedule in the past, and a
campaign whose start hits a bug."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.campaigns import sending
from kindred.campaigns.models import Campaign
from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import captured, create, make_contact, run_jobs
from tests.factories import signup


async def test_a_campaign_whose_scheduled_start_hits_a_bug_fails_without_holding_up_the_others(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_owner, other = await signup(app), await signup(app)
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    broken = await create(broken_owner, name="Poisoned", scheduledAt=past)
    contact = await make_contact(other, tags=["due"])
    due = await create(other, scheduledAt=past, targetTags=["due"])
    freeze = sending.freeze

    async def failing_for_one(session: AsyncSession, campaign: Campaign) -> int:
        if campaign.name == "Poisoned":
            raise RuntimeError("a bug reached by this campaign's data")
        return await freeze(session, campaign)

    monkeypatch.setattr(sending, "freeze", failing_for_one)
    await jobs.tick(now=utcnow())
    await run_jobs(jobs)
    assert (await other.client.get(f"/api/campaigns/{due['id']}")).json()["status"] == "SENT"
    assert len(await captured(other, to=contact["email"])) == 1
    failed = (await broken_owner.client.get(f"/api/campaigns/{broken['id']}")).json()
    assert (failed["status"], failed["startedAt"]) == ("FAILED", None)
    assert failed["failureReason"] == (
        "The scheduled start failed: an unexpected error (RuntimeError); see the server log"
    )


def test_the_api_document_says_how_scheduled_at_is_read_and_what_a_past_time_does(
    app: FastAPI,
) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for model in ("CampaignCreate", "CampaignUpdate"):
        described = schemas[model]["properties"]["scheduledAt"]["description"]
        assert "read as UTC when it has no offset" in described
        assert "A time already past starts the campaign at the scheduler's next tick" in described
