"""The outbox's promises: a rolled-back event is never dispatched, a committed one always is."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.events import DomainEvent, emit
from kindred.core.events.service import DISPATCH_TASK
from kindred.core.events.tasks import STALE_AFTER
from kindred.core.jobs import Job, JobStatus
from kindred.core.jobs.runtime import JobRuntime
from tests.core.events.helpers import recorded
from tests.factories import Actor, signup


class Refused(Exception):
    pass


def lead() -> dict[str, object]:
    return {"lead": {"id": str(uuid.uuid4())}}


async def emit_event(database: Database, actor: Actor, *, fail: bool = False) -> None:
    async with database.session_scope() as session:
        workspace_id = uuid.UUID(actor.workspace_id)
        await emit(session, workspace_id=workspace_id, type="lead.created", data=lead())
        if fail:
            raise Refused


async def dispatch_jobs(database: Database, actor: Actor) -> list[Job]:
    async with database.session_scope() as session:
        rows = await session.scalars(
            select(Job).where(
                Job.name == DISPATCH_TASK, Job.workspace_id == uuid.UUID(actor.workspace_id)
            )
        )
        return list(rows)


async def change_dispatch_job(database: Database, actor: Actor, **values: object) -> None:
    """The workspace's one dispatch job, changed as a failure or a retry would leave it."""
    [job] = await dispatch_jobs(database, actor)
    async with database.session_scope() as session:
        await session.execute(update(Job).where(Job.id == job.id).values(**values))


async def test_an_event_whose_transaction_rolls_back_leaves_no_event_and_no_dispatch(
    app: FastAPI, database: Database, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    with pytest.raises(Refused):
        await emit_event(database, actor, fail=True)
    await jobs.tick(utcnow() + STALE_AFTER * 2)
    await jobs.runner.run_due()
    assert await recorded(database, actor) == []
    assert await dispatch_jobs(database, actor) == []


async def test_an_event_emitted_after_a_rolled_back_savepoint_is_dispatched_by_its_own_job(
    app: FastAPI, database: Database, jobs: JobRuntime
) -> None:
    """The savepoint that held the transaction's first event (a failed automation step) took
    the dispatch job with it; the next event of the transaction queues another, rather than
    waiting minutes for the reconciler."""
    actor = await signup(app)
    workspace_id = uuid.UUID(actor.workspace_id)
    async with database.session_scope() as session:
        failed_step = await session.begin_nested()
        await emit(session, workspace_id=workspace_id, type="lead.created", data=lead())
        await failed_step.rollback()
        kept = lead()
        await emit(session, workspace_id=workspace_id, type="lead.created", data=kept)
    await jobs.runner.run_due()
    [event] = await recorded(database, actor)
    assert event.data == kept
    assert event.dispatched_at is not None


async def test_a_committed_event_whose_dispatch_was_never_published_is_republished_by_the_tick(
    app: FastAPI, database: Database, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process died between the commit and the publish: the job row committed with the
    event, and the tick sends it once its publication is older than a lease."""
    actor = await signup(app)
    await emit_event(database, actor)
    [job] = await dispatch_jobs(database, actor)
    published: list[uuid.UUID] = []

    async def publish(job_ids: list[uuid.UUID]) -> None:
        published.extend(job_ids)

    monkeypatch.setattr(jobs, "publish", publish)
    await jobs.tick(utcnow() + timedelta(seconds=jobs.settings.job_lease_seconds + 1))
    assert job.id in published
    assert await jobs.runner.run(job.id)
    [event] = await recorded(database, actor)
    assert event.dispatched_at is not None


async def test_events_whose_dispatch_job_failed_for_good_are_dispatched_after_a_tick(
    app: FastAPI, database: Database, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await emit_event(database, actor)
    await change_dispatch_job(database, actor, status=JobStatus.FAILED.value)
    await jobs.tick(utcnow() + STALE_AFTER + timedelta(seconds=1))
    await jobs.runner.run_due()
    [event] = await recorded(database, actor)
    assert event.dispatched_at is not None


async def test_events_held_by_a_dispatcher_that_died_are_dispatched_after_its_lease(
    app: FastAPI, database: Database, jobs: JobRuntime
) -> None:
    """The worker died after claiming the batch: its job succeeded or not, the events' lease
    runs out and the reconciler queues their dispatch again."""
    actor = await signup(app)
    await emit_event(database, actor)
    await age_events(database, actor, locked_until=utcnow() + timedelta(minutes=5))
    await jobs.runner.run_due()
    [event] = await recorded(database, actor)
    assert event.dispatched_at is None
    await age_events(database, actor, locked_until=utcnow() - timedelta(seconds=1))
    await jobs.tick()
    await jobs.runner.run_due()
    [event] = await recorded(database, actor)
    assert event.dispatched_at is not None


async def age_events(database: Database, actor: Actor, **values: object) -> None:
    """The workspace's events, as they would be after waiting past STALE_AFTER."""
    async with database.session_scope() as session:
        await session.execute(
            update(DomainEvent)
            .where(DomainEvent.workspace_id == uuid.UUID(actor.workspace_id))
            .values(occurred_at=utcnow() - STALE_AFTER * 2, **values)
        )


async def test_a_backlog_waiting_for_its_queued_dispatch_gets_no_second_job_from_the_tick(
    app: FastAPI, database: Database, jobs: JobRuntime
) -> None:
    """Events past STALE_AFTER whose dispatch job is still queued (workers busy with a
    backlog): the reconciler leaves them to it, tick after tick."""
    actor = await signup(app)
    await emit_event(database, actor)
    await age_events(database, actor)
    await jobs.tick()
    await jobs.tick()
    assert len(await dispatch_jobs(database, actor)) == 1
    await jobs.runner.run_due()
    [event] = await recorded(database, actor)
    assert event.dispatched_at is not None


async def test_a_dispatch_job_waiting_out_its_backoff_does_not_hold_back_stale_events(
    app: FastAPI, database: Database, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await emit_event(database, actor)
    await change_dispatch_job(database, actor, run_at=utcnow() + timedelta(hours=1))
    await age_events(database, actor)
    await jobs.tick()
    await jobs.runner.run_due()
    [event] = await recorded(database, actor)
    assert event.dispatched_at is not None
