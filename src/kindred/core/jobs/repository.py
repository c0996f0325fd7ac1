"""Every query on the job table: claims, completions, retries, reconciliation, stats."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update

from kindred.core.jobs.models import Job, JobStatus
from kindred.core.repository import Repository


class JobRepository(Repository[Job]):
    model = Job

    async def add_all(self, jobs: list[Job]) -> None:
        self.session.add_all(jobs)
        await self.session.flush()

    async def claim(self, job_id: uuid.UUID, now: datetime, lease: timedelta) -> Job | None:
        """Marks a due, queued job as running for this worker; None if another got it first."""
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED.value, Job.run_at <= now)
            .values(
                status=JobStatus.RUNNING.value,
                attempts=Job.attempts + 1,
                locked_until=now + lease,
                updated_at=now,
            )
            .returning(Job.id)
        )
        if result.scalar_one_or_none() is None:
            return None
        return await self.session.get(Job, job_id, populate_existing=True)

    async def waiting(
        self, name: str, workspace_id: uuid.UUID, naming: Mapping[str, str]
    ) -> Sequence[Job]:
        """The workspace's `name` jobs queued and not yet taken by a worker (a retry waiting
        for its time included) whose payload holds `naming`'s values, locked on PostgreSQL
        until this transaction ends."""
        statement = (
            select(Job)
            .where(
                Job.workspace_id == workspace_id,
                Job.name == name,
                Job.status == JobStatus.QUEUED.value,
                *(Job.payload[key].as_string() == value for key, value in naming.items()),
            )
            .order_by(Job.id)
            .with_for_update()
        )
        return (await self.session.scalars(statement)).all()

    async def covered(self, name: str, key: str, values: Sequence[str], now: datetime) -> set[str]:
        """Those of `values` that the payload's `key` of a `name` job running, or queued and
        due by `now`, holds."""
        if not values:
            return set()
        held = Job.payload[key].as_string()
        queued = (Job.status == JobStatus.QUEUED.value) & (Job.run_at <= now)
        rows = await self.session.scalars(
            select(held)
            .where(
                Job.name == name,
                or_(Job.status == JobStatus.RUNNING.value, queued),
                held.in_(values),
            )
            .distinct()
        )
        return set(rows)

    async def due_ids(
        self, now: datetime, republish_before: datetime | None, limit: int
    ) -> Sequence[uuid.UUID]:
        """Queued jobs that are due; with `republish_before`, only those not published since."""
        stmt = select(Job.id).where(Job.status == JobStatus.QUEUED.value, Job.run_at <= now)
        if republish_before is not None:
            stmt = stmt.where(or_(Job.published_at.is_(None), Job.published_at < republish_before))
        rows = await self.session.scalars(stmt.order_by(Job.run_at).limit(limit))
        return rows.all()

    async def mark_published(self, job_ids: Sequence[uuid.UUID], now: datetime) -> None:
        if job_ids:
            await self.session.execute(
                update(Job).where(Job.id.in_(job_ids)).values(published_at=now)
            )

    async def release_expired(self, now: datetime) -> int:
        """Running jobs whose lease ran out (their worker died) go back to the queue, unless
        that was their last attempt (`lost_on_last_attempt`)."""
        result = await self.session.execute(
            update(Job)
            .where(*self._lost(now), Job.attempts < Job.max_attempts)
            .values(status=JobStatus.QUEUED.value, locked_until=None, published_at=None)
            .returning(Job.id)
        )
        return len(result.all())

    async def lost_on_last_attempt(self, now: datetime) -> Sequence[uuid.UUID]:
        """Running jobs whose worker died during their last attempt."""
        rows = await self.session.scalars(
            select(Job.id).where(*self._lost(now), Job.attempts >= Job.max_attempts)
        )
        return rows.all()

    async def fail_lost(self, job_id: uuid.UUID, error: str, now: datetime) -> Job | None:
        """Fails for good a job lost on its last attempt; None if it is no longer one (another
        tick took it)."""
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, *self._lost(now))
            .values(
                status=JobStatus.FAILED.value,
                last_error=error,
                locked_until=None,
                finished_at=now,
                updated_at=now,
            )
            .returning(Job.id)
        )
        if result.scalar_one_or_none() is None:
            return None
        return await self.session.get(Job, job_id, populate_existing=True)

    @staticmethod
    def _lost(now: datetime) -> tuple[ColumnElement[bool], ...]:
        return Job.status == JobStatus.RUNNING.value, Job.locked_until < now

    async def counts_by_status(self) -> dict[str, int]:
        rows = await self.session.execute(select(Job.status, func.count()).group_by(Job.status))
        return {status: int(count) for status, count in rows}

    async def renew(self, job_id: uuid.UUID, attempt: int, until: datetime) -> bool:
        """Extends the lease of the job's running `attempt`; False when it is no longer running
        that attempt."""
        return await self._of_attempt(job_id, attempt, {"locked_until": until}) is not None

    async def complete(self, job_id: uuid.UUID, attempt: int, now: datetime) -> bool:
        """Marks the job's running `attempt` succeeded; False when it is no longer running it
        (the tick took the job back or gave it up meanwhile)."""
        values = {
            "status": JobStatus.SUCCEEDED.value,
            "finished_at": now,
            "locked_until": None,
            "last_error": None,
        }
        return await self._of_attempt(job_id, attempt, values) is not None

    async def fail(
        self, job_id: uuid.UUID, attempt: int, error: str, retry_at: datetime | None, now: datetime
    ) -> Job | None:
        """Back to the queue at `retry_at`, or failed for good when there is none; None when
        the job is no longer running `attempt`."""
        values: dict[str, object] = {
            "last_error": error,
            "locked_until": None,
            "published_at": None,
        }
        if retry_at is None:
            values |= {"status": JobStatus.FAILED.value, "finished_at": now}
        else:
            values |= {"status": JobStatus.QUEUED.value, "run_at": retry_at}
        return await self._of_attempt(job_id, attempt, values)

    async def _of_attempt(
        self, job_id: uuid.UUID, attempt: int, values: Mapping[str, object]
    ) -> Job | None:
        """Updates the job if it is still running `attempt`: the fence that keeps an attempt
        whose lease ran out from writing over what the tick or a later attempt decided."""
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value, Job.attempts == attempt)
            .values(**values)
            .returning(Job.id)
        )
        if result.scalar_one_or_none() is None:
            return None
        return await self.session.get(Job, job_id, populate_existing=True)
