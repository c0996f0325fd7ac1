"""SCHEDULE's times: a five-field cron read on the wall clock of `triggerConfig.timezone`, each
wall time firing once across daylight-saving changes, and times missed while the scheduler was
down firing once (see automations/schedule.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle
from tests.factories import Actor, signup

NEW_YORK = "America/New_York"
# A long WAIT keeps each run waiting: the test counts runs, not what they do.
WAIT = [{"type": "WAIT", "config": {"days": 3000}}]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def _schedule(actor: Actor, cron: str, timezone: str) -> dict[str, Any]:
    config = {"cron": cron, "timezone": timezone}
    return await make_workflow(actor, trigger="SCHEDULE", triggerConfig=config, actions=WAIT)


async def _runs_after_ticks(
    actor: Actor, jobs: JobRuntime, workflow: dict[str, Any], ticks: list[datetime]
) -> list[int]:
    """The workflow's number of runs after each scheduler tick."""
    counts = []
    for now in ticks:
        await jobs.tick(now=now)
        await settle(jobs, now=now)
        counts.append(len(await runs_of(actor, workflow["id"])))
    return counts


async def test_a_cron_fires_at_its_time_zones_wall_clock_time_in_winter_and_summer(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    workflow = await _schedule(actor, "0 9 * * *", NEW_YORK)
    ticks = [
        utc(2027, 1, 11, 13, 59),  # the days missed since the workflow was made: one run
        utc(2027, 1, 11, 14, 0),  # 09:00 EST
        utc(2027, 7, 12, 12, 59),  # the days missed meanwhile: one run
        utc(2027, 7, 12, 13, 0),  # 09:00 EDT
    ]
    assert await _runs_after_ticks(actor, jobs, workflow, ticks) == [1, 2, 3, 4]


async def test_a_time_the_clocks_repeat_when_falling_back_fires_once(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    workflow = await _schedule(actor, "30 1 * * *", NEW_YORK)
    ticks = [
        utc(2027, 11, 7, 5, 0),  # 00:00 EDT: the days missed since the workflow was made
        utc(2027, 11, 7, 5, 30),  # 01:30 EDT
        utc(2027, 11, 7, 6, 30),  # 01:30 EST, the same wall time again
        utc(2027, 11, 8, 6, 30),  # 01:30 EST the next night
    ]
    assert await _runs_after_ticks(actor, jobs, workflow, ticks) == [1, 2, 2, 3]


async def test_a_time_the_clocks_skip_when_springing_forward_fires_once_at_the_jump(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    workflow = await _schedule(actor, "30 2 * * *", NEW_YORK)
    ticks = [
        utc(2027, 3, 14, 6, 0),  # 01:00 EST: the days missed since the workflow was made
        utc(2027, 3, 14, 6, 59),  # 01:59 EST
        utc(2027, 3, 14, 7, 0),  # 03:00 EDT: 02:30 never came, it is past
        utc(2027, 3, 14, 7, 30),  # 03:30 EDT
        utc(2027, 3, 15, 6, 30),  # 02:30 EDT the next night
    ]
    assert await _runs_after_ticks(actor, jobs, workflow, ticks) == [1, 1, 2, 2, 3]


# A directory of the tz database, a name too long for a file, files that name no zone.
NOT_ZONE_NAMES = ["America", "E" * 300, "localtime", "Factory"]


@pytest.mark.parametrize(
    "timezone", ["Mars/Olympus_Mons", "../etc/passwd", 5, ["UTC"], *NOT_ZONE_NAMES]
)
async def test_an_unknown_timezone_is_a_400_naming_it_that_changes_nothing(
    app: FastAPI, timezone: Any
) -> None:
    actor = await signup(app)
    config = {"cron": "0 9 * * *", "timezone": timezone}
    body = {"name": "T", "trigger": "SCHEDULE", "triggerConfig": config, "actions": WAIT}
    created = await actor.client.post("/api/workflows", json=body)
    assert created.status_code == 400, created.text
    assert created.json()["details"][0]["field"] == "triggerConfig.timezone"
    workflow = await _schedule(actor, "0 9 * * *", "Europe/Paris")
    path = f"/api/workflows/{workflow['id']}"
    updated = await actor.client.put(path, json={"triggerConfig": config})
    assert updated.status_code == 400, updated.text
    saved = (await actor.client.get(path)).json()["triggerConfig"]
    assert saved == {"cron": "0 9 * * *", "timezone": "Europe/Paris"}


@pytest.mark.parametrize("cron", ["* * * * * *", "0 9 * * * 30", "0 0 9 * * * 2027"])
async def test_a_cron_with_a_seconds_or_year_field_is_a_400_naming_it(
    app: FastAPI, cron: str
) -> None:
    """croniter reads a sixth field as seconds: `* * * * * *` would be saved as every second
    and run once a minute."""
    actor = await signup(app)
    body = {"name": "T", "trigger": "SCHEDULE", "triggerConfig": {"cron": cron}, "actions": WAIT}
    created = await actor.client.post("/api/workflows", json=body)
    assert created.status_code == 400, created.text
    assert created.json()["details"][0]["field"] == "triggerConfig.cron"
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []


async def test_a_cron_alias_is_saved(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    workflow = await _schedule(actor, "@daily", "Europe/Paris")
    ticks = [utc(2027, 1, 10, 22, 59), utc(2027, 1, 10, 23, 0)]  # midnight in Paris
    assert await _runs_after_ticks(actor, jobs, workflow, ticks) == [1, 2]
