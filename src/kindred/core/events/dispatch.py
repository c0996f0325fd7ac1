"""Handing events to consumers, exactly once per (event, consumer).

A batch of events is claimed (a lease, committed at once so that a slow consumer holds no lock),
then every consumer runs on every event and the ledger rows and `dispatched_at` commit with the
consumers' effects in one transaction. When anything raises, that transaction is rolled back and
the batch is replayed one (event, consumer) at a time, each in its own transaction, so one
failing consumer neither blocks nor repeats the others. This module commits: it is the body of
the `events.dispatch` task, which owns its session.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import utcnow
from kindred.core.events.models import ConsumerStatus, DomainEvent, EventConsumption
from kindred.core.events.registry import CONSUMERS, ConsumerFunction
from kindred.core.events.repository import EventRepository, LedgerRepository

log = logging.getLogger("kindred.events")

BATCH = 100
MAX_BATCHES = 50
LEASE = timedelta(minutes=5)
MAX_CONSUMER_ATTEMPTS = 8
RETRY_BASE = timedelta(seconds=30)
SETTLED = frozenset({ConsumerStatus.DONE, ConsumerStatus.FAILED})


async def dispatch_workspace(session: AsyncSession, workspace_id: uuid.UUID) -> bool:
    """Dispatches the workspace's due events; True when more may be waiting."""
    for _round in range(MAX_BATCHES):
        now = utcnow()
        events = await EventRepository(session).claim(workspace_id, now, LEASE, BATCH)
        await session.commit()
        if not events:
            return False
        ids = [event.id for event in events]
        try:
            await _consume_batch(session, events, now)
            await session.commit()
        except Exception:
            log.warning("event batch failed; retrying its events one by one", exc_info=True)
            await session.rollback()
            await _consume_isolated(session, ids)
        if len(ids) < BATCH:
            return False
    return True


async def _consume_batch(
    session: AsyncSession, events: Sequence[DomainEvent], now: datetime
) -> None:
    ledger = await LedgerRepository(session).of_events([event.id for event in events])
    for event in events:
        for name, function in CONSUMERS.items():
            row = ledger.get((event.id, name))
            if row is not None and row.status in SETTLED:
                continue
            await function(session, event)
            _record(session, event, name, row, None)
        event.dispatched_at, event.locked_until, event.retry_at = now, None, None
    await session.flush()


async def _consume_isolated(session: AsyncSession, ids: Sequence[uuid.UUID]) -> None:
    for event_id in ids:
        for name, function in CONSUMERS.items():
            await _consume_one(session, event_id, name, function)
        await _settle(session, event_id)


async def _load(
    session: AsyncSession, event_id: uuid.UUID, name: str
) -> tuple[DomainEvent, EventConsumption | None]:
    (event,) = await EventRepository(session).by_ids([event_id])
    ledger = await LedgerRepository(session).of_events([event_id])
    return event, ledger.get((event_id, name))


async def _consume_one(
    session: AsyncSession, event_id: uuid.UUID, name: str, function: ConsumerFunction
) -> None:
    event, row = await _load(session, event_id, name)
    if row is not None and row.status in SETTLED:
        return
    try:
        await function(session, event)
        _record(session, event, name, row, None)
        await session.commit()
    except Exception as error:
        await session.rollback()
        log.warning("consumer %s failed on event %s", name, event_id, exc_info=True)
        event, row = await _load(session, event_id, name)
        _record(session, event, name, row, f"{type(error).__name__}: {error}"[:2000])
        await session.commit()


def _record(
    session: AsyncSession,
    event: DomainEvent,
    name: str,
    row: EventConsumption | None,
    error: str | None,
) -> None:
    if row is None:
        row = EventConsumption(event_id=event.id, consumer=name, workspace_id=event.workspace_id)
        session.add(row)
    row.attempts = (row.attempts or 0) + 1
    row.last_error = error
    if error is None:
        row.status = ConsumerStatus.DONE
    elif row.attempts >= MAX_CONSUMER_ATTEMPTS:
        row.status = ConsumerStatus.FAILED
    else:
        row.status = ConsumerStatus.RETRYING


async def _settle(session: AsyncSession, event_id: uuid.UUID) -> None:
    """Dispatched when every consumer is done or gave up; otherwise due again after a backoff."""
    (event,) = await EventRepository(session).by_ids([event_id])
    ledger = await LedgerRepository(session).of_events([event_id])
    rows = [ledger.get((event_id, name)) for name in CONSUMERS]
    now = utcnow()
    event.locked_until = None
    if all(row is not None and row.status in SETTLED for row in rows):
        event.dispatched_at, event.retry_at = now, None
    else:
        attempts = max(row.attempts for row in rows if row is not None)
        event.retry_at = now + RETRY_BASE * 2 ** (attempts - 1)
    await session.commit()
