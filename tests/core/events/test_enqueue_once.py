"""One job per key and transaction, however many rows the transaction writes for it."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from kindred.core.db.session import Database
from kindred.core.events import enqueue_once
from kindred.core.jobs import Job, task
from kindred.workspaces.models import Workspace

TASK = "tests.events.enqueued_once"


@task(TASK)
async def enqueued_once(session: object, *, marker: str) -> None:
    """Never run here: the tests count the jobs queued."""


class _Undone(Exception):
    pass


async def _jobs_of(database: Database, marker: str) -> int:
    async with database.session_scope() as session:
        found = await session.scalars(select(Job).where(Job.name == TASK))
        return sum(job.payload["marker"] == marker for job in found)


async def _workspace(database: Database) -> uuid.UUID:
    async with database.session_scope() as session:
        workspace = Workspace(name="enqueue once")
        session.add(workspace)
        await session.flush()
        return workspace.id


async def test_a_key_queues_one_job_per_transaction(database: Database) -> None:
    workspace_id, marker = await _workspace(database), uuid.uuid4().hex
    async with database.session_scope() as session:
        for _ in range(3):
            await enqueue_once(session, TASK, "key", workspace_id=workspace_id, marker=marker)
    assert await _jobs_of(database, marker) == 1


async def test_a_job_queued_in_a_rolled_back_savepoint_is_queued_again_by_the_next_row(
    database: Database,
) -> None:
    workspace_id, marker = await _workspace(database), uuid.uuid4().hex
    async with database.session_scope() as session:
        try:
            async with session.begin_nested():
                await enqueue_once(session, TASK, "key", workspace_id=workspace_id, marker=marker)
                raise _Undone
        except _Undone:
            pass
        await enqueue_once(session, TASK, "key", workspace_id=workspace_id, marker=marker)
    assert await _jobs_of(database, marker) == 1
