"""Read-only contact queries for other domains: contacts by id, workspace counts, growth.

Added for the sales pipeline (deals embed contacts, analytics counts them); every statement
is scoped to one workspace and served by the (workspace_id, created_at) index.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from kindred.contacts.models import Contact
from kindred.core.db.dialect import utc_period
from kindred.core.repository import WorkspaceRepository


class ContactLookupRepository(WorkspaceRepository[Contact]):
    model = Contact

    async def by_ids(self, contact_ids: Sequence[uuid.UUID]) -> Sequence[Contact]:
        if not contact_ids:
            return []
        return await self.all(self.base().where(Contact.id.in_(list(contact_ids))))

    async def count_since(self, moment: datetime | None = None) -> int:
        stmt = select(func.count()).where(Contact.workspace_id == self.workspace_id)
        if moment is not None:
            stmt = stmt.where(Contact.created_at >= moment)
        return int(await self.session.scalar(stmt) or 0)

    async def created_per_day(self, start: datetime, end: datetime) -> dict[str, int]:
        """New contacts per UTC day (`YYYY-MM-DD`) in [start, end)."""
        day = utc_period(self.session, Contact.created_at, "day")
        rows = await self.session.execute(
            select(day, func.count())
            .where(
                Contact.workspace_id == self.workspace_id,
                Contact.created_at >= start,
                Contact.created_at < end,
            )
            .group_by(day)
        )
        return {str(period): int(count) for period, count in rows}
