"""What a campaign does with recipients it cannot send: long subjects, a personalised subject
too long for a message, and a batch that fails every attempt (sent again one recipient at a
time, or, when none can be sent, the campaign FAILED saying why)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kindred.campaigns.sending import WORKER_LOST
from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import (
    captured,
    create,
    make_contact,
    queued_send_jobs,
    run_every_retry,
    send_campaign,
)
from tests.factories import Actor, lose_worker_on_last_attempt, signup


async def _campaign(actor: Actor, campaign_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await actor.client.get(f"/api/campaigns/{campaign_id}")).json()
    return found


async def _outcomes(actor: Actor, campaign_id: str) -> dict[str, dict[str, Any]]:
    rows = (await actor.client.get(f"/api/campaigns/{campaign_id}/emails")).json()
    return {row["contactId"]: row for row in rows}


async def test_a_subject_longer_than_500_characters_is_sent_and_kept_on_the_timeline(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["long"])
    subject = "Our autumn news " + "x" * 700
    campaign = await create(actor, targetTags=["long"], subject=subject)
    await send_campaign(actor, jobs, campaign["id"])
    assert (await _campaign(actor, campaign["id"]))["status"] == "SENT"
    [capture] = await captured(actor, to=contact["email"])
    assert capture["subject"] == subject
    timeline = await actor.client.get(f"/api/contacts/{contact['id']}/interactions")
    assert [entry["subject"] for entry in timeline.json()["interactions"]] == [subject]


async def test_a_subject_over_998_characters_once_personalised_fails_that_recipient_only(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    short = await make_contact(actor, tags=["names"], firstName="Al")
    long = await make_contact(actor, tags=["names"], firstName="N" * 200)
    campaign = await create(actor, targetTags=["names"], subject="{{contact.firstName}}" * 6)
    await send_campaign(actor, jobs, campaign["id"])
    outcomes = await _outcomes(actor, campaign["id"])
    assert outcomes[short["id"]]["status"] == "SENT"
    assert outcomes[long["id"]]["status"] == "FAILED"
    assert "over 998 characters once personalised" in outcomes[long["id"]]["reason"]
    assert (await _campaign(actor, campaign["id"]))["status"] == "SENT"


async def test_a_batch_failing_every_attempt_is_sent_one_by_one_and_only_its_bad_row_fails(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> None:
    actor = await signup(app)
    good = [await make_contact(actor, tags=["batch"]) for _ in range(2)]
    bad = await make_contact(actor, tags=["batch"])
    poisoned.add(bad["email"])
    campaign = await create(actor, targetTags=["batch"])
    await send_campaign(actor, jobs, campaign["id"])
    assert (await _campaign(actor, campaign["id"]))["status"] == "SENDING"
    await run_every_retry(jobs)
    outcomes = await _outcomes(actor, campaign["id"])
    assert [outcomes[contact["id"]]["status"] for contact in good] == ["SENT", "SENT"]
    assert outcomes[bad["id"]]["status"] == "FAILED"
    assert "unexpected error (RuntimeError)" in outcomes[bad["id"]]["reason"]
    done = await _campaign(actor, campaign["id"])
    assert (done["status"], done["sentCount"], done["failedCount"]) == ("SENT", 2, 1)
    assert done["failureReason"] is None
    assert len(await captured(actor, campaignId=campaign["id"])) == 2


async def test_a_batch_none_of_which_can_be_sent_fails_the_campaign_saying_why(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> None:
    actor = await signup(app)
    for _ in range(2):
        poisoned.add((await make_contact(actor, tags=["doomed"]))["email"])
    campaign = await create(actor, targetTags=["doomed"])
    await send_campaign(actor, jobs, campaign["id"])
    await run_every_retry(jobs)
    failed = await _campaign(actor, campaign["id"])
    assert failed["status"] == "FAILED"
    assert failed["failureReason"] == (
        "Sending stopped: an unexpected error (RuntimeError); see the server log"
    )
    assert failed["completedAt"] is not None
    assert {row["status"] for row in (await _outcomes(actor, campaign["id"])).values()} == {
        "PENDING"
    }
    assert await captured(actor, campaignId=campaign["id"]) == []


async def test_a_batch_whose_worker_died_on_every_attempt_fails_the_campaign_unsent(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["lost"])
    campaign = await create(actor, targetTags=["lost"])
    queued = await actor.client.post(f"/api/campaigns/{campaign['id']}/send")
    assert queued.status_code == 200
    for job_id in await queued_send_jobs(jobs, campaign["id"]):
        await lose_worker_on_last_attempt(jobs.runner.database, job_id)
    await jobs.tick()
    failed = await _campaign(actor, campaign["id"])
    assert (failed["status"], failed["failureReason"]) == ("FAILED", WORKER_LOST)
    assert {row["status"] for row in (await _outcomes(actor, campaign["id"])).values()} == {
        "PENDING"
    }
    assert await captured(actor, campaignId=campaign["id"]) == []
