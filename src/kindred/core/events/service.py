"""Emitting events inside the caller's transaction, and reading them back (replays)."""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.events.catalogue import event_type
from kindred.core.events.models import DomainEvent
from kindred.core.events.repository import EventRepository
from kindred.core.jobs import enqueue

DISPATCH_TASK = "events.dispatch"
SCRATCH_KEY = "kindred.transaction_scratch"


def transaction_scratch(session: AsyncSession) -> dict[Hashable, Any]:
    """A dict that lives as long as the session's current transaction (committed or rolled
    back, it is forgotten): what a transaction already did, or looked up, for its next rows."""
    transaction = session.get_transaction()
    held = session.info.get(SCRATCH_KEY)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info[SCRATCH_KEY] = held
    scratch: dict[Hashable, Any] = held[1]
    return scratch


async def enqueue_once(
    session: AsyncSession, name: str, key: Hashable, *, workspace_id: uuid.UUID, **payload: Any
) -> None:
    """One `name` job per `key` in the session's current transaction, to work through however
    many rows the transaction writes for it. The job is remembered, not just the fact: a
    savepoint rolled back (a failed automation step) takes the job queued in it along, and the
    transaction's next row queues another instead of waiting for a reconciler."""
    await session.connection()  # begins the transaction (the scratch lives as long as it)
    scratch = transaction_scratch(session)
    queued = scratch.get((name, key))
    if queued is not None and queued in session:
        return
    scratch[(name, key)] = await enqueue(session, name, workspace_id=workspace_id, **payload)


async def emit(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    type: str,
    data: dict[str, Any],
    contact_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> DomainEvent:
    """Records an event in the caller's transaction and makes sure it will be dispatched."""
    event_type(type)
    event = DomainEvent(workspace_id=workspace_id, type=type, data=data, contact_id=contact_id)
    if occurred_at is not None:
        event.occurred_at = occurred_at
    session.add(event)
    await enqueue_once(
        session, DISPATCH_TASK, workspace_id, workspace_id=workspace_id, workspace=str(workspace_id)
    )
    await session.flush()
    return event


async def events_since(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    since: datetime,
    *,
    types: Sequence[str] | None = None,
    limit: int = 10_000,
) -> Sequence[DomainEvent]:
    """The workspace's events since a moment, oldest first (`types=None`: every type)."""
    return await EventRepository(session).since(workspace_id, since, types, limit)
