"""Running one job: claim it, run its task in a unit of work, record the outcome."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.jobs.lease import LeaseLost, kept
from kindred.core.jobs.models import Job
from kindred.core.jobs.registry import TASKS, TaskSpec
from kindred.core.jobs.repository import JobRepository
from kindred.core.metrics import TASK_OUTCOMES
from kindred.settings import Settings

log = logging.getLogger("kindred.jobs")

MAX_BACKOFF = timedelta(hours=1)
SETTINGS_KEY = "kindred.settings"


def task_settings(session: AsyncSession) -> Settings:
    """The settings of the process running the task (tasks get only a session and ids)."""
    settings: Settings = session.info[SETTINGS_KEY]
    return settings


def error_text(error: Exception) -> str:
    """How the jobs table records the error that ended an attempt: `Kind: message`, bounded."""
    return f"{type(error).__name__}: {error}"[:2000]


class WorkerLost(Exception):
    """What a give-up hook gets for a job whose worker stopped (killed, out of memory) during
    its last attempt: the tick fails it rather than queue it again, or a job that kills its
    worker would run for ever."""

    def __init__(self) -> None:
        super().__init__("the worker stopped during the last attempt (its lease ran out)")


def retry_delay(attempt: int, base_seconds: float) -> timedelta:
    """Exponential backoff with ±20% jitter, capped at an hour."""
    seconds = base_seconds * (2 ** max(attempt - 1, 0))
    seconds *= random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


class JobRunner:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.lease = timedelta(seconds=settings.job_lease_seconds)

    async def run(self, job_id: uuid.UUID, *, now: datetime | None = None) -> bool:
        """Runs the job if it is due and nobody else claimed it; True when this call ran it.

        `now` lets tests run a job at a simulated time (its retry is scheduled from it too).
        """
        async with self.database.session_scope() as session:
            job = await JobRepository(session).claim(job_id, now or utcnow(), self.lease)
            if job is None:
                return False
            name, payload = job.name, dict(job.payload)
            tries = (job.attempts, job.max_attempts)
        spec = TASKS.get(name)
        try:
            await self._attempt(job_id, tries[0], spec, name, payload)
        except LeaseLost:
            log.warning("job %s (%s): taken back during attempt %s, undone", job_id, name, tries[0])
        except Exception as error:
            log.warning("job %s (%s) failed on attempt %s: %r", job_id, name, tries[0], error)
            TASK_OUTCOMES.labels(name, "failed").inc()
            await self._record_failure(job_id, error, tries, now or utcnow())
        else:
            TASK_OUTCOMES.labels(name, "succeeded").inc()
        return True

    async def _attempt(
        self,
        job_id: uuid.UUID,
        attempt: int,
        spec: TaskSpec | None,
        name: str,
        payload: dict[str, Any],
    ) -> None:
        """The task and the job's completion in one transaction, its lease kept meanwhile."""
        if spec is None:
            raise LookupError(f"no task named {name!r} is registered")
        lease = kept(self.database, job_id, attempt, self.lease)
        async with lease, self.database.session_scope() as session:
            session.info[SETTINGS_KEY] = self.settings
            await spec.function(session, **payload)
            if not await JobRepository(session).complete(job_id, attempt, utcnow()):
                raise LeaseLost()  # rolls the task's work back: the job is another's now

    async def _record_failure(
        self,
        job_id: uuid.UUID,
        error: Exception,
        tries: tuple[int, int],
        now: datetime,
    ) -> None:
        """Schedules the retry, or, after the last attempt, fails the job and runs the task's
        give-up hook (`_give_up`), handing it `error` itself (the table keeps its text)."""
        attempt, max_attempts = tries
        text = error_text(error)
        if attempt >= max_attempts:
            failing = partial(
                JobRepository.fail,
                job_id=job_id,
                attempt=attempt,
                error=text,
                retry_at=None,
                now=now,
            )
            await self._give_up(job_id, failing, error)
            return
        retry_at = now + retry_delay(attempt, self.settings.job_backoff_base_seconds)
        async with self.database.session_scope() as session:
            await JobRepository(session).fail(job_id, attempt, text, retry_at, now)

    async def _give_up(
        self,
        job_id: uuid.UUID,
        failing: Callable[[JobRepository], Awaitable[Job | None]],
        error: Exception,
    ) -> None:
        """Fails the job for good (`failing` marks it; None when it is no longer the caller's
        to fail) and runs its task's give-up hook in the same transaction, so that the two
        never disagree. A hook that raises (a bug) is logged and the job failed without it, in
        a transaction of its own: left RUNNING, the tick would give it up again, and fail
        again, at every tick."""
        try:
            async with self.database.session_scope() as session:
                job = await failing(JobRepository(session))
                spec = TASKS.get(job.name) if job is not None else None
                if job is not None and spec is not None and spec.on_give_up is not None:
                    session.info[SETTINGS_KEY] = self.settings
                    await spec.on_give_up(session, error, **job.payload)
            return
        except Exception:
            log.exception("job %s: its give-up hook failed; the job fails without it", job_id)
        async with self.database.session_scope() as session:
            await failing(JobRepository(session))

    async def give_up_lost(self, now: datetime) -> int:
        """Fails the jobs whose worker stopped during their last attempt, each with its task's
        give-up hook (which gets `WorkerLost`); how many."""
        async with self.database.session_scope() as session:
            lost = await JobRepository(session).lost_on_last_attempt(now)
        error = WorkerLost()
        text = error_text(error)
        for job_id in lost:
            failing = partial(JobRepository.fail_lost, job_id=job_id, error=text, now=now)
            await self._give_up(job_id, failing, error)
        return len(lost)

    async def run_due(self, *, now: datetime | None = None, limit: int = 10_000) -> int:
        """Runs every due job in this process until none is left (tests and the CLI).

        Whether a job was published to a broker does not matter here: the claim decides.
        """
        ran = 0
        while ran < limit:
            async with self.database.session_scope() as session:
                ids = await JobRepository(session).due_ids(now or utcnow(), None, 100)
            ran_now = sum([await self.run(job_id, now=now) for job_id in ids])
            if ran_now == 0:  # nothing due, or every due job was claimed elsewhere
                return ran
            ran += ran_now
        return ran
