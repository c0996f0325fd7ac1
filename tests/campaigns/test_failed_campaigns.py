"""A FAILED campaign is not the end: its cause fixed, it is edited and sent again. One that
failed before freezing its audience starts like a draft; one that failed part-way sends its
PENDING recipients only. Cancel and delete close one out."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from kindred.campaigns import sending
from kindred.campaigns.repository import RecipientRepository
from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import (
    SCORE_ABOVE_5,
    campaign_on_a_deleted_field,
    captured,
    create,
    make_contact,
    queued_send_jobs,
    run_every_retry,
    run_jobs,
    send_campaign,
)
from tests.factories import Actor, signup

ROLES = ("sent", "failed", "skipped", "stuck", "unreached")


async def _get(actor: Actor, campaign_id: str) -> dict[str, Any]:
    response = await actor.client.get(f"/api/campaigns/{campaign_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def _rows(actor: Actor, campaign_id: str) -> dict[str, dict[str, Any]]:
    response = await actor.client.get(f"/api/campaigns/{campaign_id}/emails")
    return {row["contactId"]: row for row in response.json()}


async def _failed_part_way(
    actor: Actor, jobs: JobRuntime, poisoned: set[str]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A campaign sent one recipient per batch, in contact order, that ended FAILED at its
    fourth: the first was SENT, the second FAILED (its subject too long once personalised),
    the third SKIPPED (banned); the fourth (a bug in its draft) and fifth are PENDING. The
    campaign, and the contacts by role."""
    people = {role: await make_contact(actor, tags=["retry"], firstName="Al") for role in ROLES}
    assert [p["id"] for p in people.values()] == sorted(p["id"] for p in people.values())
    named = await actor.client.put(
        f"/api/contacts/{people['failed']['id']}", json={"firstName": "N" * 200}
    )
    assert named.status_code == 200, named.text
    banned = await actor.client.post("/api/auth/banned", json={"email": people["skipped"]["email"]})
    assert banned.status_code == 200, banned.text
    poisoned.add(people["stuck"]["email"])
    campaign = await create(actor, targetTags=["retry"], subject="{{contact.firstName}}" * 6)
    await send_campaign(actor, jobs, campaign["id"])
    await run_every_retry(jobs)
    failed = await _get(actor, campaign["id"])
    assert failed["status"] == "FAILED", failed
    return failed, people


@pytest.fixture
def one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """One lane, one recipient per batch: the batches go in contact order."""
    monkeypatch.setattr(sending, "SEND_BATCH", 1)
    monkeypatch.setattr(sending, "LANES", 1)


@pytest.mark.usefixtures("one_by_one")
async def test_a_campaign_failed_part_way_sends_only_its_pending_recipients_when_sent_again(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> None:
    actor = await signup(app)
    failed, people = await _failed_part_way(actor, jobs, poisoned)
    before = await _rows(actor, failed["id"])
    statuses = {role: before[people[role]["id"]]["status"] for role in ROLES}
    assert statuses == {"sent": "SENT", "failed": "FAILED", "skipped": "SKIPPED",
                        "stuck": "PENDING", "unreached": "PENDING"}  # fmt: skip
    poisoned.clear()  # the cause fixed
    queued = await actor.client.post(f"/api/campaigns/{failed['id']}/send")
    assert queued.status_code == 200, queued.text
    answer = queued.json()
    assert (answer["success"], answer["queued"], answer["recipients"]) == (True, True, 2)
    assert answer["message"] == "Campaign queued for sending."
    sending_again = await _get(actor, failed["id"])
    assert (sending_again["status"], sending_again["failureReason"]) == ("SENDING", None)
    assert sending_again["completedAt"] is None
    await run_jobs(jobs)
    done = await _get(actor, failed["id"])
    counters = ("status", "recipientsCount", "sentCount", "failedCount", "skippedCount")
    assert tuple(done[key] for key in counters) == ("SENT", 5, 3, 1, 1)
    assert done["completedAt"] is not None
    after = await _rows(actor, failed["id"])
    for role in ("sent", "failed", "skipped"):
        assert after[people[role]["id"]] == before[people[role]["id"]]
    received = [len(await captured(actor, to=people[role]["email"])) for role in ROLES]
    assert received == [1, 0, 0, 1, 1]


@pytest.mark.usefixtures("one_by_one")
async def test_a_failed_campaign_sent_again_twice_is_a_400_the_second_time(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> None:
    actor = await signup(app)
    failed, _ = await _failed_part_way(actor, jobs, poisoned)
    poisoned.clear()
    send = f"/api/campaigns/{failed['id']}/send"
    assert (await actor.client.post(send)).status_code == 200
    again = await actor.client.post(send)
    assert (again.status_code, again.json()["code"]) == (400, "CAMPAIGN_STATE")
    assert len(await queued_send_jobs(jobs, failed["id"])) == 1  # one lane, queued once


@pytest.mark.usefixtures("one_by_one")
async def test_a_campaign_failed_part_way_takes_content_edits_but_keeps_its_audience(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> None:
    actor = await signup(app)
    failed, people = await _failed_part_way(actor, jobs, poisoned)
    base = f"/api/campaigns/{failed['id']}"
    refused = await actor.client.put(base, json={"subject": "New", "targetTags": ["other"]})
    assert (refused.status_code, refused.json()["code"]) == (400, "CAMPAIGN_STATE")
    assert "targetTags" in refused.json()["error"]
    assert await _get(actor, failed["id"]) == failed
    edited = await actor.client.put(base, json={"subject": "Fixed", "targetTags": ["retry"]})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["status"], edited.json()["failureReason"]) == (
        "FAILED", failed["failureReason"]
    )  # fmt: skip
    poisoned.clear()
    await send_campaign(actor, jobs, failed["id"])
    (email,) = await captured(actor, to=people["stuck"]["email"])
    assert email["subject"] == "Fixed"


async def test_a_campaign_whose_scheduled_start_failed_is_fixed_and_sent_like_a_draft(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    scored = await make_contact(actor, tags=["fixed"])
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    campaign = await campaign_on_a_deleted_field(actor, past)
    await jobs.tick(now=utcnow())
    base = f"/api/campaigns/{campaign['id']}"
    assert (await _get(actor, campaign["id"]))["status"] == "FAILED"
    still_broken = await actor.client.put(base, json={"filter": SCORE_ABOVE_5})
    assert still_broken.status_code == 400, still_broken.text
    edited = await actor.client.put(base, json={"filter": None, "targetTags": ["fixed"]})
    assert (edited.status_code, edited.json()["status"]) == (200, "FAILED"), edited.text
    queued = await send_campaign(actor, jobs, campaign["id"])
    assert (queued["queued"], queued["recipients"]) == (True, 1)
    done = await _get(actor, campaign["id"])
    assert (done["status"], done["sentCount"], done["failureReason"]) == ("SENT", 1, None)
    assert done["startedAt"] is not None
    assert len(await captured(actor, to=scored["email"])) == 1


@pytest.mark.usefixtures("one_by_one")
async def test_cancelling_a_campaign_failed_part_way_skips_its_pending_recipients(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> None:
    actor = await signup(app)
    failed, people = await _failed_part_way(actor, jobs, poisoned)
    cancelled = await actor.client.post(f"/api/campaigns/{failed['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    done = cancelled.json()
    assert (done["status"], done["sentCount"], done["failedCount"], done["skippedCount"]) == (
        "CANCELLED", 1, 1, 3
    )  # fmt: skip
    assert done["failureReason"] == failed["failureReason"]  # why it stopped, still told
    rows = await _rows(actor, failed["id"])
    assert rows[people["unreached"]["id"]]["status"] == "SKIPPED"
    again = await actor.client.post(f"/api/campaigns/{failed['id']}/send")
    assert again.status_code == 400, again.text


@pytest.mark.usefixtures("one_by_one")
async def test_deleting_a_campaign_failed_part_way_hides_it_and_skips_its_pending_recipients(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str], database: Database
) -> None:
    actor = await signup(app)
    failed, _ = await _failed_part_way(actor, jobs, poisoned)
    deleted = await actor.client.delete(f"/api/campaigns/{failed['id']}")
    assert deleted.status_code == 200, deleted.text
    assert (await actor.client.get(f"/api/campaigns/{failed['id']}")).status_code == 404
    async with database.session_scope() as session:
        rows = RecipientRepository(session, uuid.UUID(actor.workspace_id))
        campaign_id = uuid.UUID(failed["id"])
        assert (await rows.count(campaign_id), await rows.count(campaign_id, "PENDING")) == (5, 0)


async def test_a_campaign_whose_scheduled_start_failed_is_deleted_outright(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    campaign = await campaign_on_a_deleted_field(actor, past)
    await jobs.tick(now=utcnow())
    deleted = await actor.client.delete(f"/api/campaigns/{campaign['id']}")
    assert deleted.status_code == 200, deleted.text
    listed = await actor.client.get("/api/campaigns", params={"status": "FAILED"})
    assert listed.json()["campaigns"] == []


async def _rescheduled(actor: Actor, campaign_id: str, at: datetime) -> dict[str, Any]:
    edited = await actor.client.put(
        f"/api/campaigns/{campaign_id}", json={"scheduledAt": at.isoformat()}
    )
    assert edited.status_code == 200, edited.text
    found: dict[str, Any] = edited.json()
    return found


def _only_the_pending_were_sent(done: dict[str, Any]) -> None:
    counters = ("status", "recipientsCount", "sentCount", "failedCount", "skippedCount")
    assert tuple(done[key] for key in counters) == ("SENT", 5, 3, 1, 1)


async def _received(actor: Actor, people: dict[str, dict[str, Any]]) -> list[int]:
    return [len(await captured(actor, to=people[role]["email"])) for role in ROLES]


async def _failed_then_fixed(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> tuple[Actor, dict[str, Any], dict[str, dict[str, Any]]]:
    """A campaign failed part-way, its cause fixed since: (its owner, it, its audience)."""
    actor = await signup(app)
    failed, people = await _failed_part_way(actor, jobs, poisoned)
    poisoned.clear()
    return actor, failed, people


async def _sent_the_rest_once(
    actor: Actor, campaign_id: str, people: dict[str, dict[str, Any]]
) -> None:
    """Only the recipients still pending at the failure got the message, once each."""
    _only_the_pending_were_sent(await _get(actor, campaign_id))
    assert await _received(actor, people) == [1, 0, 0, 1, 1]


@pytest.mark.usefixtures("one_by_one")
async def test_a_campaign_failed_part_way_rescheduled_sends_its_pending_recipients_once_at_its_time(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> None:
    actor, failed, people = await _failed_then_fixed(app, jobs, poisoned)
    soon = utcnow() + timedelta(minutes=5)
    scheduled = await _rescheduled(actor, failed["id"], soon)
    assert (scheduled["status"], scheduled["failureReason"]) == ("SCHEDULED", None)
    assert scheduled["completedAt"] is None
    await jobs.tick(now=utcnow())
    await run_jobs(jobs)
    assert (await _get(actor, failed["id"]))["status"] == "SCHEDULED"
    for minutes in (1, 2):
        await jobs.tick(now=soon + timedelta(minutes=minutes))
        await run_jobs(jobs)
    await _sent_the_rest_once(actor, failed["id"], people)


@pytest.mark.usefixtures("one_by_one")
async def test_a_rescheduled_campaign_sent_before_its_time_is_not_sent_again_at_it(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> None:
    actor, failed, people = await _failed_then_fixed(app, jobs, poisoned)
    soon = utcnow() + timedelta(minutes=5)
    await _rescheduled(actor, failed["id"], soon)
    queued = await send_campaign(actor, jobs, failed["id"])
    assert queued["recipients"] == 2
    await jobs.tick(now=soon + timedelta(minutes=1))
    await run_jobs(jobs)
    await _sent_the_rest_once(actor, failed["id"], people)


@pytest.mark.usefixtures("one_by_one")
async def test_a_rescheduled_campaign_unscheduled_again_is_held_paused_until_resumed(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> None:
    actor, failed, people = await _failed_then_fixed(app, jobs, poisoned)
    base = f"/api/campaigns/{failed['id']}"
    await _rescheduled(actor, failed["id"], utcnow() + timedelta(days=1))
    unscheduled = await actor.client.put(base, json={"scheduledAt": None})
    assert unscheduled.json()["status"] == "PAUSED", unscheduled.text
    assert (await actor.client.post(f"{base}/resume")).json()["status"] == "SENDING"
    await run_jobs(jobs)
    await _sent_the_rest_once(actor, failed["id"], people)


@pytest.mark.usefixtures("one_by_one")
async def test_a_rescheduled_campaign_paused_and_resumed_before_its_time_waits_for_it(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str]
) -> None:
    actor, failed, people = await _failed_then_fixed(app, jobs, poisoned)
    base = f"/api/campaigns/{failed['id']}"
    soon = utcnow() + timedelta(minutes=5)
    await _rescheduled(actor, failed["id"], soon)
    assert (await actor.client.post(f"{base}/pause")).json()["status"] == "PAUSED"
    assert (await actor.client.post(f"{base}/resume")).json()["status"] == "SCHEDULED"
    await run_jobs(jobs)
    assert await _received(actor, people) == [1, 0, 0, 0, 0]
    await jobs.tick(now=soon + timedelta(minutes=1))
    await run_jobs(jobs)
    _only_the_pending_were_sent(await _get(actor, failed["id"]))


@pytest.mark.usefixtures("one_by_one")
async def test_deleting_a_rescheduled_campaign_skips_its_pending_recipients(
    app: FastAPI, jobs: JobRuntime, poisoned: set[str], database: Database
) -> None:
    actor = await signup(app)
    failed, _ = await _failed_part_way(actor, jobs, poisoned)
    await _rescheduled(actor, failed["id"], utcnow() + timedelta(days=1))
    assert (await actor.client.delete(f"/api/campaigns/{failed['id']}")).status_code == 200
    async with database.session_scope() as session:
        rows = RecipientRepository(session, uuid.UUID(actor.workspace_id))
        assert await rows.count(uuid.UUID(failed["id"]), "PENDING") == 0


async def test_a_campaign_whose_scheduled_start_failed_is_rescheduled_and_starts_at_its_new_time(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    scored = await make_contact(actor, tags=["fixed"])
    campaign = await campaign_on_a_deleted_field(
        actor, (utcnow() - timedelta(minutes=1)).isoformat()
    )
    await jobs.tick(now=utcnow())
    soon = utcnow() + timedelta(minutes=5)
    edited = await actor.client.put(
        f"/api/campaigns/{campaign['id']}",
        json={"filter": None, "targetTags": ["fixed"], "scheduledAt": soon.isoformat()},
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["status"], edited.json()["failureReason"]) == ("SCHEDULED", None)
    await jobs.tick(now=soon + timedelta(minutes=1))
    await run_jobs(jobs)
    assert (await _get(actor, campaign["id"]))["status"] == "SENT"
    assert len(await captured(actor, to=scored["email"])) == 1


async def test_a_failed_campaign_sent_back_with_the_time_it_failed_at_stays_failed(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    campaign = await campaign_on_a_deleted_field(actor, past)
    await jobs.tick(now=utcnow())
    failed = await _get(actor, campaign["id"])
    edited = await actor.client.put(
        f"/api/campaigns/{campaign['id']}",
        json={"filter": None, "targetTags": ["x"], "scheduledAt": failed["scheduledAt"]},
    )
    assert (edited.status_code, edited.json()["status"]) == (200, "FAILED"), edited.text
    assert edited.json()["failureReason"] == failed["failureReason"]
