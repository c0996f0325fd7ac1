"""Background work of the contacts domain."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import importer
from kindred.core.jobs import task


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
