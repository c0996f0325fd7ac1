"""Reading back the events a test's workspace recorded."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from kindred.core.db.session import Database
from kindred.core.events import DomainEvent
from tests.factories import Actor


async def recorded(database: Database, actor: Actor) -> list[DomainEvent]:
    async with database.session_scope() as session:
        rows = await session.scalars(
            select(DomainEvent)
            .where(DomainEvent.workspace_id == uuid.UUID(actor.workspace_id))
            .order_by(DomainEvent.id)
        )
        return list(rows)
