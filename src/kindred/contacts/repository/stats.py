"""Read-only contact queries for other domains: contacts by id, workspace counts, growth.

Added for the sales pipeline (deals embed contacts, analytics counts them); every statement
is scoped to one workspace. The counts come from the `contact_daily_counts` rollup.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from kindred.contacts.models import Contact, ContactDailyCount
from kindred.core.db.dialect import among
from kindred.core.db.rollup import Rollup
from kindred.core.repository import WorkspaceRepository


class ContactLookupRepository(WorkspaceRepository[Contact]):
    model = Contact

    async def by_ids(self, contact_ids: Sequence[uuid.UUID]) -> Sequence[Contact]:
        if not contact_ids:
            return []
        return await self.all(self.base().where(among(self.session, Contact.id, contact_ids)))

    async def growth(self, start: datetime, end: datetime) -> tuple[int, int, dict[str, int]]:
        """(contacts, those created before `start`, those created in [start, end) per UTC day).

        From the daily rollup: two index scans over one row per day. A bound inside a day
        (not at midnight UTC) moves that day's contacts on its far side, counted live on the
        (workspace_id, created_at) index: at most one day of contacts at each end.
        """
        first, last = start.astimezone(UTC).date(), _day_after(end)
        total, before, per_day = await self._from_rollup(first, last)
        if start > _midnight(first):
            early = await self._created_between(_midnight(first), start)
            per_day[first] -= early
            before += early
        if end < _midnight(last):
            per_day[last - timedelta(days=1)] -= await self._created_between(end, _midnight(last))
        return total, before, {day.isoformat(): count for day, count in per_day.items() if count}

    async def _from_rollup(self, first: date, last: date) -> tuple[int, int, Counter[date]]:
        """(contacts, those created before day `first`, per day in [first, last))."""
        counts = ContactDailyCount
        mine = counts.workspace_id == self.workspace_id
        contacts = func.sum(counts.contacts)
        total, before = (
            await self.session.execute(
                select(contacts, contacts.filter(counts.day < first)).where(mine)
            )
        ).one()
        rows = await self.session.execute(
            select(counts.day, contacts)
            .where(mine, counts.day >= first, counts.day < last)
            .group_by(counts.day)
        )
        return int(total or 0), int(before or 0), Counter({day: int(n) for day, n in rows})

    async def _created_between(self, start: datetime, end: datetime) -> int:
        statement = select(func.count()).where(
            Contact.workspace_id == self.workspace_id,
            Contact.created_at >= start,
            Contact.created_at < end,
        )
        return int(await self.session.scalar(statement) or 0)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _day_after(moment: datetime) -> date:
    """The first day starting at or after `moment` (UTC)."""
    day = moment.astimezone(UTC).date()
    return day if _midnight(day) == moment else day + timedelta(days=1)


DAILY_COUNTS = Rollup(
    ContactDailyCount.__table__,  # type: ignore[arg-type]
    keys=("workspace_id", "day"),
    sums=("contacts",),
)
