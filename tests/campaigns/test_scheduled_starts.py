"""The scheduler's start of due campaigns: what it does with a schedule in the past, and a
campaign whose start hits a bug."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError, OperationalError
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


class _PostgresError(Exception):
    """As asyncpg's errors reach SQLAlchemy: the SQLSTATE as `sqlstate`."""

    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


TRANSIENT_ERRORS = {
    "sqlite-locked": OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked")),
    "deadlock": DBAPIError("UPDATE", {}, _PostgresError("deadlock detected", "40P01")),
    "lock-timeout": DBAPIError("UPDATE", {}, _PostgresError("lock timeout", "55P03")),
    "statement-timeout": DBAPIError("UPDATE", {}, _PostgresError("canceled", "57014")),
    "connection-lost": DBAPIError("UPDATE", {}, OSError("gone"), connection_invalidated=True),
}


@pytest.mark.parametrize("error", TRANSIENT_ERRORS.values(), ids=TRANSIENT_ERRORS.keys())
async def test_a_scheduled_start_meeting_a_transient_database_error_starts_on_the_next_tick(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch, error: DBAPIError
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["due"])
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    due = await create(actor, scheduledAt=past, targetTags=["due"])
    freeze, raised = sending.freeze, []

    async def failing_once(session: AsyncSession, campaign: Campaign) -> int:
        if not raised:
            raised.append(error)
            raise error
        return await freeze(session, campaign)

    monkeypatch.setattr(sending, "freeze", failing_once)
    await jobs.tick(now=utcnow())
    await run_jobs(jobs)
    assert (await actor.client.get(f"/api/campaigns/{due['id']}")).json()["status"] == "SCHEDULED"
    await jobs.tick(now=utcnow())
    await run_jobs(jobs)
    assert (await actor.client.get(f"/api/campaigns/{due['id']}")).json()["status"] == "SENT"
    assert len(await captured(actor, to=contact["email"])) == 1


def test_the_api_document_says_how_scheduled_at_is_read_and_what_a_past_time_does(
    app: FastAPI,
) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for model in ("CampaignCreate", "CampaignUpdate"):
        described = schemas[model]["properties"]["scheduledAt"]["description"]
        assert "read as UTC when it has no offset" in described
        assert "A time already past starts the campaign at the scheduler's next tick" in described
