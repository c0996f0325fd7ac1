"""Enqueueing jobs inside a transaction, and reading the queue's state."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import utcnow
from kindred.core.jobs.models import Job, JobStatus
from kindred.core.jobs.registry import TASKS
from kindred.core.jobs.repository import JobRepository

PENDING_KEY = "kindred.pending_jobs"


class UnknownTask(LookupError):
    pass


def _job(name: str, workspace_id: uuid.UUID | None, when: datetime, max_attempts: int,
         payload: dict[str, Any]) -> Job:  # fmt: skip
    spec = TASKS.get(name)
    if spec is None:
        raise UnknownTask(name)
    return Job(
        name=name,
        payload=payload,
        workspace_id=workspace_id,
        run_at=when,
        max_attempts=spec.max_attempts or max_attempts,
        # Published right after the commit; if that publish is lost, the tick re-sends it.
        published_at=utcnow() if when <= utcnow() else None,
    )


def _published_after_commit(session: AsyncSession, jobs: list[Job]) -> None:
    session.info.setdefault(PENDING_KEY, []).extend(job.id for job in jobs)


async def enqueue(
    session: AsyncSession,
    name: str,
    *,
    workspace_id: uuid.UUID | None = None,
    delay: timedelta | None = None,
    run_at: datetime | None = None,
    max_attempts: int = 5,
    **payload: Any,
) -> Job:
    """Records a job in the caller's transaction; it is published only after that commits."""
    when = run_at or (utcnow() + delay if delay else utcnow())
    job = _job(name, workspace_id, when, max_attempts, payload)
    await JobRepository(session).add(job)
    if when <= utcnow():
        _published_after_commit(session, [job])
    return job


async def enqueue_many(
    session: AsyncSession,
    name: str,
    payloads: list[dict[str, Any]],
    *,
    workspace_id: uuid.UUID | None = None,
    max_attempts: int = 5,
) -> None:
    """`enqueue` of one job per payload, due now, with one flush."""
    now = utcnow()
    jobs = [_job(name, workspace_id, now, max_attempts, payload) for payload in payloads]
    await JobRepository(session).add_all(jobs)
    _published_after_commit(session, jobs)


async def waiting_jobs(
    session: AsyncSession,
    name: str,
    *,
    workspace_id: uuid.UUID,
    naming: Mapping[str, str],
    amend: Mapping[str, Any] | None = None,
) -> int:
    """How many of the workspace's `name` jobs whose payload holds `naming`'s values (the
    campaign a batch job is for, say) are queued and not yet taken by a worker, a retry
    waiting for its time included; `amend` is merged into their payloads, which they will
    run with. On PostgreSQL they stay locked until this transaction ends: a worker cannot take
    one meanwhile and act on the state this transaction is changing as it was before."""
    jobs = await JobRepository(session).waiting(name, workspace_id, naming)
    if amend:
        for job in jobs:
            job.payload = {**job.payload, **amend}
    return len(jobs)


async def covered(
    session: AsyncSession, name: str, key: str, values: Sequence[str], now: datetime
) -> set[str]:
    """Those of `values` for which a `name` job, named by its payload's `key`, is running or
    queued and due by `now` (not a retry waiting out its backoff): a scanner queuing work
    that may have lost its job leaves those to it."""
    return await JobRepository(session).covered(name, key, values, now)


def take_pending(session: AsyncSession) -> list[uuid.UUID]:
    pending: list[uuid.UUID] = session.info.pop(PENDING_KEY, [])
    return pending


async def queue_stats(session: AsyncSession) -> dict[str, int]:
    counts = await JobRepository(session).counts_by_status()
    return {
        "active": counts.get(JobStatus.RUNNING.value, 0),
        "completed": counts.get(JobStatus.SUCCEEDED.value, 0),
        "failed": counts.get(JobStatus.FAILED.value, 0),
        "waiting": counts.get(JobStatus.QUEUED.value, 0),
    }
