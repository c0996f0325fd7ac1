"""Background work of the contacts domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import importer, stats
from kindred.core.jobs import scanner, task


@task("contacts.run_import")
async def run_import(
    session: AsyncSession, *, workspace: str, job_id: str, chunk_size: int = importer.BATCH
) -> None:
    """Commits after every chunk: progress is visible and a retry resumes where it stopped."""
    chunks = importer.import_job_chunks(
        session, uuid.UUID(workspace), uuid.UUID(job_id), chunk_size
    )
    async for _ in chunks:
        await session.commit()


@scanner("contacts.compact_daily_counts")
async def compact_daily_counts(session: AsyncSession, now: datetime) -> int:
    """Every tick: the rollup's deltas since the last tick become one row per day again."""
    return await stats.compact_daily_counts(session)
