"""Resuming a paused campaign leaves LANES batch chains sharing it, never more: the lanes whose
next batch was still queued carry on by themselves, only the missing ones are queued, and a
lane whose batch was under way meanwhile ends with that batch."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI

from kindred.campaigns import sending
from kindred.core.db import utcnow
from kindred.core.jobs.registry import TASKS
from kindred.core.jobs.repository import JobRepository
from kindred.core.jobs.runner import SETTINGS_KEY
from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import captured, create, make_contact, queued_send_jobs, run_jobs
from tests.factories import Actor, signup


async def _paused(actor: Actor, contacts: int = 3) -> tuple[str, list[dict[str, Any]]]:
    """A campaign queued for sending, then paused before any batch ran; its URL and audience."""
    audience = [await make_contact(actor, tags=["lanes"]) for _ in range(contacts)]
    base = f"/api/campaigns/{(await create(actor, targetTags=['lanes']))['id']}"
    assert (await actor.client.post(f"{base}/send")).status_code == 200
    assert (await actor.client.post(f"{base}/pause")).json()["status"] == "PAUSED"
    return base, audience


async def _finishes_sending_each_once(
    actor: Actor, jobs: JobRuntime, base: str, audience: list[dict[str, Any]]
) -> None:
    await run_jobs(jobs)
    done = (await actor.client.get(base)).json()
    assert (done["status"], done["sentCount"]) == ("SENT", len(audience))
    for contact in audience:
        assert len(await captured(actor, to=contact["email"])) == 1


async def test_resume_while_the_lanes_are_still_queued_adds_no_chain(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    base, audience = await _paused(actor)
    campaign_id = base.rsplit("/", 1)[1]
    assert len(await queued_send_jobs(jobs, campaign_id)) == sending.LANES
    assert (await actor.client.post(f"{base}/resume")).json()["status"] == "SENDING"
    assert len(await queued_send_jobs(jobs, campaign_id)) == sending.LANES
    await _finishes_sending_each_once(actor, jobs, base, audience)


async def test_repeated_pause_and_resume_never_queue_more_than_lanes_chains(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    base, audience = await _paused(actor)
    for _ in range(3):
        assert (await actor.client.post(f"{base}/resume")).status_code == 200
        assert (await actor.client.post(f"{base}/pause")).status_code == 200
    assert (await actor.client.post(f"{base}/resume")).status_code == 200
    assert len(await queued_send_jobs(jobs, base.rsplit("/", 1)[1])) == sending.LANES
    await _finishes_sending_each_once(actor, jobs, base, audience)


async def test_resume_after_the_lanes_ended_while_paused_queues_every_lane_again(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    base, audience = await _paused(actor)
    campaign_id = base.rsplit("/", 1)[1]
    await run_jobs(jobs)  # each lane finds the campaign paused and ends
    assert await queued_send_jobs(jobs, campaign_id) == []
    assert (await actor.client.get(base)).json()["sentCount"] == 0
    assert (await actor.client.post(f"{base}/resume")).status_code == 200
    assert len(await queued_send_jobs(jobs, campaign_id)) == sending.LANES
    await _finishes_sending_each_once(actor, jobs, base, audience)


async def _taken_by_a_worker(jobs: JobRuntime, job_id: uuid.UUID) -> dict[str, Any]:
    """Claims the job as a worker starting it does; the payload it runs with."""
    async with jobs.runner.database.session_scope() as session:
        job = await JobRepository(session).claim(job_id, utcnow(), jobs.runner.lease)
        assert job is not None
        return dict(job.payload)


async def _run_taken(jobs: JobRuntime, payload: dict[str, Any]) -> None:
    """Runs the task of a job taken earlier, as its worker does."""
    async with jobs.runner.database.session_scope() as session:
        session.info[SETTINGS_KEY] = jobs.runner.settings
        await TASKS[sending.SEND_TASK].function(session, **payload)


async def test_a_lane_in_flight_across_a_pause_and_resume_does_not_run_beside_the_new_lanes(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    audience = [await make_contact(actor, tags=["lanes"]) for _ in range(3)]
    campaign_id = (await create(actor, targetTags=["lanes"]))["id"]
    base = f"/api/campaigns/{campaign_id}"
    assert (await actor.client.post(f"{base}/send")).status_code == 200
    started_at = (await actor.client.get(base)).json()["startedAt"]
    in_flight, waiting = await queued_send_jobs(jobs, campaign_id)
    payload = await _taken_by_a_worker(jobs, in_flight)  # its batch not committed yet
    for step in ("pause", "resume"):
        assert (await actor.client.post(f"{base}/{step}")).status_code == 200
    assert (await actor.client.get(base)).json()["startedAt"] == started_at  # the first start
    resumed = await queued_send_jobs(jobs, campaign_id)
    assert waiting in resumed
    assert len(resumed) == sending.LANES
    await _run_taken(jobs, payload)
    assert sorted(await queued_send_jobs(jobs, campaign_id)) == sorted(resumed)
    await _finishes_sending_each_once(actor, jobs, base, audience)
