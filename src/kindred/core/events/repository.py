"""Every query on the event outbox and its ledger."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update

from kindred.core.db.dialect import among, is_postgres
from kindred.core.events.models import DomainEvent, EventConsumption
from kindred.core.repository import Repository


def _unlocked(now: datetime) -> ColumnElement[bool]:
    return or_(DomainEvent.locked_until.is_(None), DomainEvent.locked_until < now)


class EventRepository(Repository[DomainEvent]):
    model = DomainEvent

    async def claim(
        self, workspace_id: uuid.UUID, now: datetime, lease: timedelta, limit: int
    ) -> Sequence[DomainEvent]:
        """Undispatched events that are due, oldest first, held for this dispatcher."""
        candidates = (
            select(DomainEvent.id)
            .where(
                DomainEvent.workspace_id == workspace_id,
                DomainEvent.dispatched_at.is_(None),
                or_(DomainEvent.retry_at.is_(None), DomainEvent.retry_at <= now),
                _unlocked(now),
            )
            .order_by(DomainEvent.id)
            .limit(limit)
        )
        if is_postgres(self.session):
            candidates = candidates.with_for_update(skip_locked=True)
        ids = list(await self.session.scalars(candidates))
        if not ids:
            return []
        claimed = await self.session.scalars(
            update(DomainEvent)
            .where(among(self.session, DomainEvent.id, ids), _unlocked(now))
            .values(locked_until=now + lease)
            .returning(DomainEvent.id)
        )
        return await self.by_ids(list(claimed))

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[DomainEvent]:
        rows = await self.session.scalars(
            select(DomainEvent)
            .where(among(self.session, DomainEvent.id, ids))
            .order_by(DomainEvent.id)
            .execution_options(populate_existing=True)
        )
        return rows.all()

    async def waiting_workspaces(
        self, now: datetime, stale_before: datetime
    ) -> Sequence[uuid.UUID]:
        """Workspaces with undispatched events that are due again or waited past `stale_before`."""
        rows = await self.session.scalars(
            select(DomainEvent.workspace_id)
            .where(
                DomainEvent.dispatched_at.is_(None),
                _unlocked(now),
                or_(
                    DomainEvent.retry_at <= now,
                    DomainEvent.retry_at.is_(None) & (DomainEvent.occurred_at < stale_before),
                ),
            )
            .distinct()
            .limit(1000)
        )
        return rows.all()

    async def since(
        self, workspace_id: uuid.UUID, since: datetime, types: Sequence[str] | None, limit: int
    ) -> Sequence[DomainEvent]:
        stmt = select(DomainEvent).where(
            DomainEvent.workspace_id == workspace_id, DomainEvent.occurred_at >= since
        )
        if types is not None:
            stmt = stmt.where(DomainEvent.type.in_(types))
        return await self.all(stmt.order_by(DomainEvent.id).limit(limit))


class LedgerRepository(Repository[EventConsumption]):
    model = EventConsumption

    async def of_events(
        self, event_ids: Sequence[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, str], EventConsumption]:
        rows = await self.session.scalars(
            select(EventConsumption)
            .where(among(self.session, EventConsumption.event_id, event_ids))
            .execution_options(populate_existing=True)
        )
        return {(row.event_id, row.consumer): row for row in rows}
