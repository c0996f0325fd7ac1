"""A running job's lease: renewed while its task runs, so that only a worker that stopped loses
it (the tick takes such a job back, or gives it up after its last attempt); and the fence that
keeps an attempt whose job was taken from it from recording anything."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.jobs.repository import JobRepository

log = logging.getLogger("kindred.jobs")
RENEWALS_PER_LEASE = 3


class LeaseLost(Exception):
    """The job is no longer this attempt's (its lease ran out and the tick took it back or gave
    it up): the attempt's work is rolled back and its outcome is not recorded."""


@asynccontextmanager
async def kept(
    database: Database, job_id: uuid.UUID, attempt: int, lease: timedelta
) -> AsyncIterator[None]:
    """Renews the job's lease a few times per lease while the block runs (from a session of
    its own, as the task's transaction commits only at the end)."""
    renewing = asyncio.create_task(_renew(database, job_id, attempt, lease))
    try:
        yield
    finally:
        renewing.cancel()
        with suppress(asyncio.CancelledError):
            await renewing


async def _renew(database: Database, job_id: uuid.UUID, attempt: int, lease: timedelta) -> None:
    while True:
        await asyncio.sleep(lease.total_seconds() / RENEWALS_PER_LEASE)
        try:
            async with database.session_scope() as session:
                if not await JobRepository(session).renew(job_id, attempt, utcnow() + lease):
                    return  # taken back already: the attempt's outcome will not be recorded
        except Exception:  # a renewal missed is retried; the lease outlasts two of them
            log.exception("job %s: its lease could not be renewed", job_id)
