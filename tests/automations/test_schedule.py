"""SCHEDULE: the scheduler tick starts a cron workflow at its time, once, over its contacts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from croniter import croniter
from fastapi import FastAPI

from kindred.app import create_app
from kindred.automations import engine, service
from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from kindred.settings import Settings
from tests.automations.helpers import make_workflow, runs_of, settle, tags_of
from tests.factories import Actor, signup
from tests.messaging.helpers import make_contact

HOURLY = {"cron": "0 * * * *"}
VIP = [{"field": "tags", "operator": "contains", "value": "vip"}]
TAG_IT = [{"type": "ADD_TAG", "config": {"tag": "pinged"}}]


def next_hour() -> datetime:
    due: datetime = croniter(HOURLY["cron"], utcnow()).get_next(datetime)
    return due


async def tick(jobs: JobRuntime, now: datetime) -> None:
    await jobs.tick(now=now)
    await settle(jobs, now=now)


async def vip_schedule(actor: Actor, jobs: JobRuntime, **fields: Any) -> dict[str, Any]:
    workflow = await make_workflow(
        actor, trigger="SCHEDULE", triggerConfig=HOURLY, conditions=VIP, actions=TAG_IT, **fields
    )
    await settle(jobs)  # the contacts' own events
    return workflow


async def test_schedule_runs_at_its_minute_over_the_contacts_it_matches(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    vips = [await make_contact(actor, tags=["vip"]) for _ in range(2)]
    other = await make_contact(actor)
    workflow = await vip_schedule(actor, jobs)
    due = next_hour()
    await tick(jobs, due - timedelta(seconds=1))
    assert await runs_of(actor, workflow["id"]) == []
    await tick(jobs, due)
    runs = await runs_of(actor, workflow["id"])
    assert sorted(run["contactId"] for run in runs) == sorted(vip["id"] for vip in vips)
    assert {run["status"] for run in runs} == {"COMPLETED"}
    assert "pinged" in await tags_of(actor, vips[0]["id"])
    assert "pinged" not in await tags_of(actor, other["id"])


async def test_a_cron_time_fires_once_across_ticks_and_a_restart(
    app: FastAPI, jobs: JobRuntime, settings: Settings
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["vip"])
    workflow = await vip_schedule(actor, jobs)
    due = next_hour()
    await tick(jobs, due)
    await tick(jobs, due)
    restarted = create_app(settings)
    async with restarted.router.lifespan_context(restarted):
        await tick(restarted.state.jobs, due + timedelta(seconds=59))
    assert len(await runs_of(actor, workflow["id"])) == 1
    await tick(jobs, due + timedelta(hours=1))
    assert len(await runs_of(actor, workflow["id"])) == 2


async def test_schedule_walks_its_contacts_in_batches(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SCHEDULE_BATCH", 2)
    actor = await signup(app)
    vips = [await make_contact(actor, tags=["vip"]) for _ in range(5)]
    workflow = await vip_schedule(actor, jobs)
    await tick(jobs, next_hour())
    runs = await runs_of(actor, workflow["id"])
    assert sorted(run["contactId"] for run in runs) == sorted(vip["id"] for vip in vips)


async def test_schedule_without_conditions_runs_once_without_a_contact(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await make_contact(actor)
    wait = [{"type": "WAIT", "config": {"days": 1}}]
    workflow = await make_workflow(actor, trigger="SCHEDULE", triggerConfig=HOURLY, actions=wait)
    await tick(jobs, next_hour())
    (run,) = await runs_of(actor, workflow["id"])
    assert (run["contactId"], run["status"]) == (None, "WAITING")


async def test_a_time_passed_while_inactive_does_not_fire_on_reactivation(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["vip"])
    workflow = await vip_schedule(actor, jobs, status="INACTIVE")
    due = next_hour()
    await tick(jobs, due)
    monkeypatch.setattr(service, "utcnow", lambda: due + timedelta(minutes=5))
    path = f"/api/workflows/{workflow['id']}"
    assert (await actor.client.put(path, json={"status": "ACTIVE"})).status_code == 200
    await tick(jobs, due + timedelta(minutes=6))
    assert await runs_of(actor, workflow["id"]) == []
    await tick(jobs, due + timedelta(hours=1))
    assert len(await runs_of(actor, workflow["id"])) == 1


@pytest.mark.parametrize("cron", ["", "every day", "61 * * * *", "0 0 30 2 *", 5])
async def test_invalid_cron_is_a_400_that_changes_nothing(
    app: FastAPI, jobs: JobRuntime, cron: Any
) -> None:
    actor = await signup(app)
    body = {"name": "C", "trigger": "SCHEDULE", "triggerConfig": {"cron": cron}, "actions": TAG_IT}
    created = await actor.client.post("/api/workflows", json=body)
    assert created.status_code == 400, created.text
    assert created.json()["details"][0]["field"] == "triggerConfig.cron"
    workflow = await vip_schedule(actor, jobs)
    path = f"/api/workflows/{workflow['id']}"
    updated = await actor.client.put(path, json={"triggerConfig": {"cron": cron}})
    assert updated.status_code == 400, updated.text
    assert (await actor.client.get(path)).json()["triggerConfig"] == HOURLY


async def switch_off_and_on(
    actor: Actor, workflow: dict[str, Any], monkeypatch: pytest.MonkeyPatch, at: datetime
) -> None:
    """Sets the workflow INACTIVE and ACTIVE again at `at`, between a tick and its jobs."""
    monkeypatch.setattr(service, "utcnow", lambda: at)
    path = f"/api/workflows/{workflow['id']}"
    for status in ("INACTIVE", "ACTIVE"):
        response = await actor.client.put(path, json={"status": status})
        assert response.status_code == 200, response.text


async def test_a_batch_fired_before_a_deactivation_starts_nothing_after_a_quick_reactivation(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["vip"])
    workflow = await vip_schedule(actor, jobs)
    due = next_hour()
    await jobs.tick(now=due)  # the cron time fires: its batch job is queued, not yet run
    await switch_off_and_on(actor, workflow, monkeypatch, due + timedelta(seconds=30))
    await settle(jobs, now=due + timedelta(minutes=1))
    assert await runs_of(actor, workflow["id"]) == []
    await tick(jobs, due + timedelta(hours=1))
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED"


async def test_a_run_fired_before_a_deactivation_stops_after_a_quick_reactivation(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workflow without conditions records its run at the tick; the run's job, coming after
    the workflow was switched off and on, stops it instead of executing its steps."""
    actor = await signup(app)
    wait = [{"type": "WAIT", "config": {"days": 1}}]
    workflow = await make_workflow(actor, trigger="SCHEDULE", triggerConfig=HOURLY, actions=wait)
    due = next_hour()
    await jobs.tick(now=due)
    await switch_off_and_on(actor, workflow, monkeypatch, due + timedelta(seconds=30))
    await settle(jobs, now=due + timedelta(minutes=1))
    (run,) = await runs_of(actor, workflow["id"])
    assert (run["status"], run["steps"]) == ("STOPPED", [])
    assert "deactivated" in run["error"]
    await tick(jobs, due + timedelta(hours=1))
    assert [run["status"] for run in await runs_of(actor, workflow["id"])] == [
        "WAITING",
        "STOPPED",
    ]
