"""The broker behind the jobs, and the scheduler tick.

- `inprocess` (embedded default): taskiq's InMemoryBroker runs jobs in the API process.
- `redis`: taskiq-redis RedisStreamBroker; `kindred worker` processes consume it and
  acknowledge after the task.
- `manual`: nothing runs by itself; tests call `runner.run_due()` to run what is due.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession
from taskiq import AsyncBroker, InMemoryBroker

from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.jobs.registry import SCANNERS
from kindred.core.jobs.repository import JobRepository
from kindred.core.jobs.runner import SETTINGS_KEY, JobRunner
from kindred.core.jobs.service import take_pending
from kindred.settings import Settings

log = logging.getLogger("kindred.jobs")

DispatchMode = Literal["inprocess", "redis", "manual"]
RUN_JOB = "kindred.run_job"


def dispatch_mode(settings: Settings) -> DispatchMode:
    if settings.job_dispatch != "auto":
        return settings.job_dispatch
    return "redis" if settings.redis_url else "inprocess"


def build_broker(mode: DispatchMode, settings: Settings) -> AsyncBroker | None:
    if mode == "inprocess":
        return InMemoryBroker()
    if mode == "redis":
        from taskiq_redis import RedisStreamBroker

        assert settings.redis_url, "the redis dispatch mode needs REDIS_URL"
        return RedisStreamBroker(url=settings.redis_url, queue_name=settings.job_queue_name)
    return None


class JobRuntime:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.mode = dispatch_mode(settings)
        self.runner = JobRunner(database, settings)
        self.broker = build_broker(self.mode, settings)
        if self.broker is not None:
            runner = self.runner

            async def run_job(job_id: str) -> None:
                await runner.run(uuid.UUID(job_id))

            self.broker.register_task(run_job, task_name=RUN_JOB)
        self._scheduler: asyncio.Task[None] | None = None
        database.commit_hooks.append(self.publish_pending)

    async def start(self, *, scheduler: bool) -> None:
        if self.broker is not None:
            await self.broker.startup()
        if scheduler:
            self._scheduler = asyncio.create_task(self._scheduler_loop(), name="kindred-scheduler")

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.cancel()
            with suppress(asyncio.CancelledError):
                await self._scheduler
        if self.broker is not None:
            await self.broker.shutdown()

    async def publish(self, job_ids: list[uuid.UUID]) -> None:
        if self.broker is None:
            return
        for job_id in job_ids:
            await self.broker.find_task(RUN_JOB).kiq(str(job_id))  # type: ignore[union-attr]

    async def publish_pending(self, session: AsyncSession) -> None:
        """Commit hook: hands the jobs a transaction enqueued to the broker."""
        pending = take_pending(session)
        if pending:
            await self.publish(pending)

    async def tick(self, now: datetime | None = None) -> None:
        """Takes back dead workers' jobs, runs every scanner, re-publishes what is due."""
        now = now or utcnow()
        async with self.database.session_scope() as session:
            released = await JobRepository(session).release_expired(now)
        if released:
            log.warning("released %s jobs whose worker stopped", released)
        try:
            if lost := await self.runner.give_up_lost(now):
                log.warning("failed %s jobs whose worker stopped during their last attempt", lost)
        except Exception:  # the scanners still run
            log.exception("giving up the jobs lost on their last attempt failed")
        for name, scan in SCANNERS.items():
            try:
                async with self.database.session_scope() as session:
                    session.info[SETTINGS_KEY] = self.settings  # task_settings, as for tasks
                    await scan(session, now)
            except Exception:  # a failing scanner must not stop the others
                log.exception("scanner %s failed", name)
        republish_before = now - timedelta(seconds=self.settings.job_lease_seconds)
        async with self.database.session_scope() as session:
            repo = JobRepository(session)
            due = list(await repo.due_ids(now, republish_before, 1000))
            await repo.mark_published(due, now)
        await self.publish(due)

    async def _scheduler_loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            await asyncio.sleep(self.settings.scheduler_interval_seconds)
