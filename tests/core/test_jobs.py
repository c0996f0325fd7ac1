"""The job system: enqueued in the caller's transaction, claimed once, retried, reconciled."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.app import create_app
from kindred.core.db.session import Database
from kindred.core.db.types import utcnow
from kindred.core.jobs import Job, JobStatus, WorkerLost, enqueue, task, waiting_jobs
from kindred.core.jobs.registry import SCANNERS, scanner
from kindred.core.jobs.runner import retry_delay
from kindred.core.jobs.runtime import JobRuntime
from kindred.settings import Settings
from tests.conftest import client_for
from tests.databases import REDIS_URL
from tests.factories import lose_worker_on_last_attempt, signup

CALLS: dict[str, list[Any]] = {"record": [], "flaky": []}
NOTE = {"note": "seen"}


@task("tests.record_call")
async def record_call(session: AsyncSession, *, marker: str) -> None:
    CALLS["record"].append(marker)


@task("tests.always_fails", max_attempts=2)
async def always_fails(session: AsyncSession, *, marker: str) -> None:
    raise RuntimeError(f"boom {marker}")


async def note_give_up(session: AsyncSession, error: Exception, *, marker: str) -> None:
    CALLS["record"].append(f"gave up {marker}: {type(error).__name__}: {error}")


@task("tests.gives_up", max_attempts=2, on_give_up=note_give_up)
async def gives_up(session: AsyncSession, *, marker: str) -> None:
    raise RuntimeError("down")


class Detailed(Exception):
    """An error carrying what a give-up hook needs beyond its text."""

    def __init__(self, marker: str) -> None:
        super().__init__(f"failed for {marker}")
        self.marker = marker


GIVEN_UP: list[Exception] = []


async def keep_give_up_error(session: AsyncSession, error: Exception, *, marker: str) -> None:
    GIVEN_UP.append(error)


@task("tests.fails_with_details", max_attempts=1, on_give_up=keep_give_up_error)
async def fails_with_details(session: AsyncSession, *, marker: str) -> None:
    raise Detailed(marker)


@task("tests.fails_once")
async def fails_once(session: AsyncSession, *, marker: str) -> None:
    CALLS["flaky"].append(marker)
    if CALLS["flaky"].count(marker) == 1:
        raise RuntimeError("transient")


async def job_status(database: Database, job_id: uuid.UUID) -> Job:
    async with database.session_scope() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job


async def test_a_committed_job_runs_once(database: Database, jobs: JobRuntime) -> None:
    marker = uuid.uuid4().hex
    async with database.session_scope() as session:
        job = await enqueue(session, "tests.record_call", marker=marker)
    await jobs.runner.run_due()
    await jobs.runner.run_due()
    assert CALLS["record"].count(marker) == 1
    assert (await job_status(database, job.id)).status == JobStatus.SUCCEEDED


async def test_a_rolled_back_transaction_enqueues_nothing(
    database: Database, jobs: JobRuntime
) -> None:
    marker = uuid.uuid4().hex
    with pytest.raises(RuntimeError):  # noqa: PT012 - the unit of work is what must raise
        async with database.session_scope() as session:
            await enqueue(session, "tests.record_call", marker=marker)
            raise RuntimeError("request failed")
    await jobs.runner.run_due()
    assert marker not in CALLS["record"]


async def test_a_second_claim_of_the_same_job_does_nothing(
    database: Database, jobs: JobRuntime
) -> None:
    marker = uuid.uuid4().hex
    async with database.session_scope() as session:
        job = await enqueue(session, "tests.record_call", marker=marker)
    ran = await asyncio.gather(jobs.runner.run(job.id), jobs.runner.run(job.id))
    assert sorted(ran) == [False, True]
    assert CALLS["record"].count(marker) == 1


async def test_a_failing_job_is_retried_with_backoff(database: Database, jobs: JobRuntime) -> None:
    marker = uuid.uuid4().hex
    async with database.session_scope() as session:
        job = await enqueue(session, "tests.fails_once", marker=marker)
    await jobs.runner.run(job.id)
    retried = await job_status(database, job.id)
    assert retried.status == JobStatus.QUEUED
    assert retried.attempts == 1
    assert retried.run_at > utcnow()
    assert "transient" in (retried.last_error or "")
    await jobs.runner.run_due(now=utcnow() + timedelta(hours=2))
    assert (await job_status(database, job.id)).status == JobStatus.SUCCEEDED


async def test_a_job_out_of_attempts_is_failed_and_counted(
    database: Database, jobs: JobRuntime, client: httpx.AsyncClient
) -> None:
    before = (await client.get("/api/health/queue")).json()["queueStats"]["failed"]
    async with database.session_scope() as session:
        job = await enqueue(session, "tests.always_fails", marker="x")
    await jobs.runner.run(job.id)
    await jobs.runner.run_due(now=utcnow() + timedelta(hours=2))
    failed = await job_status(database, job.id)
    assert failed.status == JobStatus.FAILED
    assert failed.attempts == 2
    after = (await client.get("/api/health/queue")).json()["queueStats"]["failed"]
    assert after == before + 1


async def test_a_failing_task_leaves_its_writes_rolled_back(
    database: Database, jobs: JobRuntime
) -> None:
    async with database.session_scope() as session:
        job = await enqueue(session, "tests.always_fails", marker="rollback")
    await jobs.runner.run(job.id)
    assert (await job_status(database, job.id)).finished_at is None


async def test_a_job_whose_worker_died_is_taken_back_by_the_tick(
    database: Database, jobs: JobRuntime
) -> None:
    marker = uuid.uuid4().hex
    async with database.session_scope() as session:
        job = await enqueue(session, "tests.record_call", marker=marker)
        await session.flush()
        await session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(status=JobStatus.RUNNING.value, locked_until=utcnow() - timedelta(seconds=1))
        )
    await jobs.tick()
    assert (await job_status(database, job.id)).status == JobStatus.QUEUED
    await jobs.runner.run_due()
    assert CALLS["record"].count(marker) == 1


async def test_a_job_whose_worker_died_on_its_last_attempt_is_failed_and_given_up_by_the_tick(
    database: Database, jobs: JobRuntime
) -> None:
    marker = uuid.uuid4().hex
    async with database.session_scope() as session:
        job = await enqueue(session, "tests.gives_up", marker=marker)
    await lose_worker_on_last_attempt(database, job.id)
    await jobs.tick()
    failed = await job_status(database, job.id)
    assert (failed.status, failed.finished_at is not None) == (JobStatus.FAILED, True)
    assert failed.last_error == f"WorkerLost: {WorkerLost()}"
    assert CALLS["record"].count(f"gave up {marker}: {failed.last_error}") == 1
    await jobs.tick()  # given up once
    assert sum(marker in call for call in CALLS["record"]) == 1


async def test_the_tick_runs_registered_scanners(database: Database, jobs: JobRuntime) -> None:
    seen: list[object] = []

    @scanner("tests.scanner")
    async def scan(session: AsyncSession, now: object) -> None:
        seen.append(now)

    try:
        await jobs.tick()
    finally:
        SCANNERS.pop("tests.scanner")
    assert len(seen) == 1


def test_retry_delay_grows_exponentially_and_is_capped() -> None:
    delays = [retry_delay(attempt, 2.0).total_seconds() for attempt in (1, 2, 3, 20)]
    assert 1.6 <= delays[0] <= 2.4
    assert 3.2 <= delays[1] <= 4.8
    assert 6.4 <= delays[2] <= 9.6
    assert delays[3] == 3600


async def test_enqueueing_an_unknown_task_fails(database: Database) -> None:
    with pytest.raises(LookupError):
        async with database.session_scope() as session:
            await enqueue(session, "tests.no_such_task")


async def wait_for(predicate: Any, seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_the_in_process_broker_runs_jobs_after_commit(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"job_dispatch": "inprocess"}))
    marker = uuid.uuid4().hex
    async with app.router.lifespan_context(app):
        database: Database = app.state.database
        async with database.session_scope() as session:
            await enqueue(session, "tests.record_call", marker=marker)
        await wait_for(lambda: marker in CALLS["record"])


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs KINDRED_TEST_REDIS_URL")
async def test_a_redis_worker_runs_jobs_published_by_the_api(settings: Settings) -> None:
    from taskiq.api import run_receiver_task

    redis_settings = settings.model_copy(
        update={
            "redis_url": REDIS_URL,
            "job_dispatch": "redis",
            "job_queue_name": f"kindred-test-{uuid.uuid4().hex}",
        }
    )
    api = create_app(redis_settings)
    marker = uuid.uuid4().hex
    async with api.router.lifespan_context(api):
        worker_db = Database.from_settings(redis_settings)
        worker = JobRuntime(worker_db, redis_settings)
        await worker.start(scheduler=False)
        assert worker.broker is not None
        receiver = asyncio.create_task(run_receiver_task(worker.broker, run_startup=False))
        try:
            database: Database = api.state.database
            async with database.session_scope() as session:
                job = await enqueue(session, "tests.record_call", marker=marker)
            await wait_for(lambda: marker in CALLS["record"])
            await wait_for(lambda: True)
            async with client_for(api) as client:
                assert (await client.get("/api/health/queue")).json()["mode"] == "redis"
            assert (await job_status(database, job.id)).attempts == 1
        finally:
            receiver.cancel()
            await asyncio.gather(receiver, return_exceptions=True)
            await worker.stop()
            await worker_db.dispose()


async def test_jobs_run_at_a_simulated_time(database: Database, jobs: JobRuntime) -> None:
    marker = uuid.uuid4().hex
    async with database.session_scope() as session:
        job = await enqueue(session, "tests.record_call", delay=timedelta(hours=3), marker=marker)
    await jobs.runner.run_due()
    assert marker not in CALLS["record"]
    await jobs.runner.run_due(now=utcnow() + timedelta(hours=4))
    assert CALLS["record"].count(marker) == 1
    assert (await job_status(database, job.id)).status == JobStatus.SUCCEEDED


async def test_a_job_published_by_a_future_tick_still_runs(
    database: Database, jobs: JobRuntime
) -> None:
    marker = uuid.uuid4().hex
    async with database.session_scope() as session:
        await enqueue(session, "tests.record_call", delay=timedelta(hours=1), marker=marker)
    later = utcnow() + timedelta(days=2)
    await jobs.tick(now=later)
    await jobs.runner.run_due(now=later)
    assert CALLS["record"].count(marker) == 1


async def test_the_give_up_hook_runs_once_after_the_last_attempt(
    database: Database, jobs: JobRuntime
) -> None:
    marker = uuid.uuid4().hex
    async with database.session_scope() as session:
        await enqueue(session, "tests.gives_up", marker=marker)
    await jobs.runner.run_due()
    assert not [call for call in CALLS["record"] if marker in call]
    await jobs.runner.run_due(now=utcnow() + timedelta(hours=2))
    assert [call for call in CALLS["record"] if marker in call] == [
        f"gave up {marker}: RuntimeError: down"
    ]


async def test_the_give_up_hook_gets_the_exception_and_the_job_keeps_its_text(
    database: Database, jobs: JobRuntime
) -> None:
    marker = uuid.uuid4().hex
    async with database.session_scope() as session:
        job = await enqueue(session, "tests.fails_with_details", marker=marker)
    await jobs.runner.run_due()
    (error,) = [error for error in GIVEN_UP if getattr(error, "marker", None) == marker]
    assert isinstance(error, Detailed)
    stored = await job_status(database, job.id)
    assert (stored.status, stored.last_error) == (
        JobStatus.FAILED,
        f"Detailed: failed for {marker}",
    )


async def test_waiting_jobs_counts_and_amends_the_queued_jobs_whose_payload_names_a_thing(
    app: FastAPI, database: Database, jobs: JobRuntime
) -> None:
    workspace = uuid.UUID((await signup(app)).workspace_id)
    async with database.session_scope() as session:
        queued = [
            await enqueue(session, "tests.record_call", workspace_id=workspace, marker=marker)
            for marker in ("mine", "mine", "other", "mine")
        ]
    taken = queued[-1]
    assert await jobs.runner.run(taken.id)  # no longer waiting
    async with database.session_scope() as session:
        naming = {"marker": "mine"}
        count = await waiting_jobs(
            session, "tests.record_call", workspace_id=workspace, naming=naming, amend=NOTE
        )
    assert count == 2
    payloads = [(await job_status(database, job.id)).payload for job in queued[:3]]
    assert payloads == [{"marker": "mine", **NOTE}] * 2 + [{"marker": "other"}]
