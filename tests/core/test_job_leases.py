"""A running job's lease: kept while its task runs, fenced once lost; and give-up hooks that
fail, which must not leave a job RUNNING for the tick to trip over for ever."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.jobs import Job, JobStatus, enqueue, task
from kindred.core.jobs.registry import SCANNERS, scanner
from kindred.core.jobs.repository import JobRepository
from kindred.core.jobs.runner import JobRunner
from kindred.core.jobs.runtime import JobRuntime
from kindred.settings import Settings
from kindred.workspaces.models import Workspace
from tests.factories import lose_worker_on_last_attempt

SLOW_SECONDS = 1.6  # past a lease of 1 s, within its renewals (every third of it)


async def broken_hook(session: AsyncSession, error: Exception, *, marker: str) -> None:
    session.add(Workspace(name=marker))  # undone with the failed hook
    raise RuntimeError("the hook has a bug")


@task("tests.leases.fails_with_a_broken_hook", max_attempts=1, on_give_up=broken_hook)
async def fails_with_a_broken_hook(session: AsyncSession, *, marker: str) -> None:
    raise RuntimeError("down")


@task("tests.leases.slow")
async def slow(session: AsyncSession, *, marker: str) -> None:
    session.add(Workspace(name=marker))
    await asyncio.sleep(SLOW_SECONDS)


# What the next task needs from its test: the database and the job to take back.
TAKING_BACK: dict[str, Any] = {}


@task("tests.leases.taken_back_meanwhile")
async def taken_back_meanwhile(session: AsyncSession, *, marker: str) -> None:
    """Its lease runs out meanwhile (a worker stalled): the tick takes the job back."""
    async with TAKING_BACK["database"].session_scope() as tick:
        await tick.execute(
            update(Job)
            .where(Job.id == TAKING_BACK["job"])
            .values(status=JobStatus.QUEUED.value, locked_until=None)
        )
    session.add(Workspace(name=marker))


async def _job(database: Database, job_id: uuid.UUID) -> Job:
    async with database.session_scope() as session:
        found = await session.get(Job, job_id)
        assert found is not None
        return found


async def _workspaces_named(database: Database, name: str) -> int:
    async with database.session_scope() as session:
        found = await session.scalars(select(Workspace.id).where(Workspace.name == name))
        return len(found.all())


async def _enqueued(database: Database, name: str, **payload: Any) -> uuid.UUID:
    async with database.session_scope() as session:
        return (await enqueue(session, name, **payload)).id


async def test_a_give_up_hook_that_raises_still_fails_the_job_without_its_writes(
    database: Database, jobs: JobRuntime
) -> None:
    marker = uuid.uuid4().hex
    job_id = await _enqueued(database, "tests.leases.fails_with_a_broken_hook", marker=marker)
    await jobs.runner.run(job_id)
    failed = await _job(database, job_id)
    assert (failed.status, failed.last_error) == (JobStatus.FAILED, "RuntimeError: down")
    assert await _workspaces_named(database, marker) == 0


async def test_a_lost_job_whose_give_up_hook_raises_is_failed_and_the_tick_goes_on(
    database: Database, jobs: JobRuntime
) -> None:
    marker = uuid.uuid4().hex
    job_id = await _enqueued(database, "tests.leases.fails_with_a_broken_hook", marker=marker)
    await lose_worker_on_last_attempt(database, job_id)
    scanned: list[object] = []

    @scanner("tests.leases.scanner")
    async def scan(session: AsyncSession, now: object) -> None:
        scanned.append(now)

    try:
        await jobs.tick()
        await jobs.tick()
    finally:
        SCANNERS.pop("tests.leases.scanner")
    assert (await _job(database, job_id)).status == JobStatus.FAILED
    assert len(scanned) == 2


async def test_a_job_running_past_its_lease_keeps_it_and_completes(
    database: Database, settings: Settings
) -> None:
    runner = JobRunner(database, settings.model_copy(update={"job_lease_seconds": 1}))
    marker = uuid.uuid4().hex
    job_id = await _enqueued(database, "tests.leases.slow", marker=marker)

    async def tick_meanwhile() -> int:
        await asyncio.sleep(SLOW_SECONDS - 0.4)
        async with database.session_scope() as session:
            return await JobRepository(session).release_expired(utcnow())

    ran, released = await asyncio.gather(runner.run(job_id), tick_meanwhile())
    assert (ran, released) == (True, 0)
    assert (await _job(database, job_id)).status == JobStatus.SUCCEEDED
    assert await _workspaces_named(database, marker) == 1


async def test_an_attempt_whose_job_was_taken_back_meanwhile_is_undone_and_records_nothing(
    database: Database, jobs: JobRuntime
) -> None:
    marker = uuid.uuid4().hex
    job_id = await _enqueued(database, "tests.leases.taken_back_meanwhile", marker=marker)
    TAKING_BACK.update(database=database, job=job_id)
    assert await jobs.runner.run(job_id)
    taken = await _job(database, job_id)
    assert (taken.status, taken.attempts, taken.finished_at) == (JobStatus.QUEUED, 1, None)
    assert await _workspaces_named(database, marker) == 0
