"""Scheduled campaigns: the scheduler tick, and what scheduledAt reads back as."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI

from kindred.campaigns import service
from kindred.campaigns.models import Campaign
from kindred.campaigns.repository import AnyCampaigns
from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import (
    campaign_on_a_deleted_field,
    captured,
    create,
    make_contact,
    run_jobs,
)
from tests.factories import signup


async def test_a_scheduled_campaign_that_cannot_start_fails_without_holding_up_the_others(
    app: FastAPI, jobs: JobRuntime
) -> None:
    broken_owner, other = await signup(app), await signup(app)
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    broken = await campaign_on_a_deleted_field(broken_owner, past)
    contact = await make_contact(other, tags=["due"])
    due = await create(other, scheduledAt=past, targetTags=["due"])
    await jobs.tick(now=utcnow())
    await run_jobs(jobs)
    assert (await other.client.get(f"/api/campaigns/{due['id']}")).json()["status"] == "SENT"
    assert len(await captured(other, to=contact["email"])) == 1
    failed = (await broken_owner.client.get(f"/api/campaigns/{broken['id']}")).json()
    assert (failed["status"], failed["startedAt"], failed["recipientsCount"]) == ("FAILED", None, 0)
    assert failed["completedAt"] is not None
    assert failed["failureReason"].startswith("The scheduled start failed: ")
    assert "customFields.score" in failed["failureReason"]


async def test_scheduled_at_reads_back_in_utc_whatever_offset_it_was_sent_with(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    sent_as = {
        "2030-11-20T10:00:00+02:00": "2030-11-20T08:00:00Z",
        "2030-11-20T10:00:00": "2030-11-20T10:00:00Z",
    }
    for given, expected in sent_as.items():
        created = await create(actor, scheduledAt=given)
        assert created["scheduledAt"] == expected
        base = f"/api/campaigns/{created['id']}"
        assert (await actor.client.get(base)).json()["scheduledAt"] == expected
        moved = await actor.client.put(base, json={"scheduledAt": given.replace("20T", "21T")})
        assert moved.json()["scheduledAt"] == expected.replace("20T", "21T")


async def test_a_paused_scheduled_campaign_waits_until_resumed(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["held"])
    soon = utcnow() + timedelta(minutes=5)
    campaign = await create(actor, targetTags=["held"], scheduledAt=soon.isoformat())
    base = f"/api/campaigns/{campaign['id']}"
    paused = await actor.client.post(f"{base}/pause")
    assert (paused.status_code, paused.json()["status"]) == (200, "PAUSED"), paused.text
    await jobs.tick(now=soon + timedelta(minutes=1))
    await run_jobs(jobs)
    assert await captured(actor, to=contact["email"]) == []
    resumed = await actor.client.post(f"{base}/resume")
    assert resumed.json()["status"] == "SCHEDULED"
    await jobs.tick(now=soon + timedelta(minutes=2))
    await run_jobs(jobs)
    assert (await actor.client.get(base)).json()["status"] == "SENT"
    assert len(await captured(actor, to=contact["email"])) == 1


async def test_a_campaign_paused_before_its_time_and_unscheduled_resumes_as_a_draft(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    later = (utcnow() + timedelta(days=1)).isoformat()
    base = f"/api/campaigns/{(await create(actor, scheduledAt=later))['id']}"
    await actor.client.post(f"{base}/pause")
    edited = await actor.client.put(base, json={"scheduledAt": None})
    assert edited.json()["status"] == "PAUSED"
    assert (await actor.client.post(f"{base}/resume")).json()["status"] == "DRAFT"


async def test_a_campaign_sent_before_its_scheduled_time_resumes_sending_after_a_pause(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["early"])
    tomorrow = (utcnow() + timedelta(days=1)).isoformat()
    campaign = await create(actor, targetTags=["early"], scheduledAt=tomorrow)
    base = f"/api/campaigns/{campaign['id']}"
    assert (await actor.client.post(f"{base}/send")).status_code == 200
    assert (await actor.client.post(f"{base}/pause")).json()["status"] == "PAUSED"
    resumed = (await actor.client.post(f"{base}/resume")).json()
    assert (resumed["status"], resumed["scheduledAt"]) == ("SENDING", None)
    await run_jobs(jobs)
    assert (await actor.client.get(base)).json()["status"] == "SENT"
    assert len(await captured(actor, to=contact["email"])) == 1


async def test_a_campaign_paused_as_the_scheduler_starts_it_stays_paused(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = await signup(app)
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    campaign = await create(actor, targetTags=["race"], scheduledAt=past)
    found_due = AnyCampaigns.due

    async def due_then_paused(self: AnyCampaigns, now: datetime, limit: int) -> Sequence[Campaign]:
        due = await found_due(self, now, limit)
        # The admin's pause lands between the scheduler's read and its start.
        workspace, campaign_id = uuid.UUID(actor.workspace_id), uuid.UUID(campaign["id"])
        await service.pause(self.session, workspace, campaign_id)
        return due

    monkeypatch.setattr(AnyCampaigns, "due", due_then_paused)
    await jobs.tick(now=utcnow())
    stored = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (stored["status"], stored["failureReason"]) == ("PAUSED", None)
