"""The dispatch task and the reconciler that re-enqueues dispatch nothing is waiting for."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.events.dispatch import dispatch_workspace
from kindred.core.events.repository import EventRepository
from kindred.core.events.service import DISPATCH_TASK
from kindred.core.jobs import covered, enqueue, scanner, task

# An event still undispatched this long after it happened has lost its job (failed for good,
# or the enqueueing process died between commit and publish past the jobs' own re-publishing).
STALE_AFTER = timedelta(minutes=2)


@task(DISPATCH_TASK)
async def dispatch(session: AsyncSession, *, workspace: str) -> None:
    workspace_id = uuid.UUID(workspace)
    if await dispatch_workspace(session, workspace_id):
        await enqueue(session, DISPATCH_TASK, workspace_id=workspace_id, workspace=workspace)


@scanner("events.reconcile")
async def reconcile(session: AsyncSession, now: datetime) -> int:
    """Queues a dispatch for each workspace whose waiting events no dispatch job covers: one
    due will see them, one running queues the next if it leaves any (or the next tick looks
    again), so a backlog that takes several ticks to work through piles up no jobs."""
    waiting = await EventRepository(session).waiting_workspaces(now, now - STALE_AFTER)
    busy = await covered(session, DISPATCH_TASK, "workspace", [str(w) for w in waiting], now)
    lost = [workspace_id for workspace_id in waiting if str(workspace_id) not in busy]
    for workspace_id in lost:
        await enqueue(
            session, DISPATCH_TASK, workspace_id=workspace_id, workspace=str(workspace_id)
        )
    return len(lost)
