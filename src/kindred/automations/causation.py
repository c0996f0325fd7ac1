"""Which domain events a run's step caused, so that automation chains have a depth.

While a step runs, `causing(session, run)` marks the session; every `DomainEvent` flushed
meanwhile (a tag added, a contact updated) gets a `CausedEvent` row with the run's depth, in
the same transaction. The consumer reads it back and starts the next run one level deeper.
Nothing is added to the event itself: its data stays the object as the API shows it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from kindred.automations.models import CausedEvent, WorkflowRun
from kindred.core.db import uuid7
from kindred.core.events import DomainEvent

CAUSE_KEY = "kindred.automations.cause"


@event.listens_for(Session, "before_flush")
def _record_causes(session: Session, _context: Any, _instances: Any) -> None:
    cause: WorkflowRun | None = session.info.get(CAUSE_KEY)
    if cause is None:
        return
    for obj in list(session.new):
        if isinstance(obj, DomainEvent):
            obj.id = obj.id or uuid7()
            session.add(
                CausedEvent(
                    event_id=obj.id,
                    run_id=cause.id,
                    workspace_id=obj.workspace_id,
                    depth=cause.depth,
                )
            )


@asynccontextmanager
async def causing(session: AsyncSession, run: WorkflowRun) -> AsyncIterator[None]:
    """Events emitted inside the block are recorded as caused by `run`."""
    session.info[CAUSE_KEY] = run
    try:
        yield
        await session.flush()
    finally:
        session.info.pop(CAUSE_KEY, None)
