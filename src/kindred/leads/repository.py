"""Every query on leads, scoped by workspace; bulk inserts for imports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select, update

from kindred.core.db import utcnow
from kindred.core.db.dialect import among, serialise_on
from kindred.core.repository import Repository, WorkspaceRepository
from kindred.core.schemas import PageParams
from kindred.leads.errors import LeadNotFound
from kindred.leads.models import Lead

LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class LeadQuery:
    status: str | None = None
    category: str | None = None
    city: str | None = None
    search: str | None = None


def _like(fragment: str) -> str:
    escaped = fragment.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class LeadRepository(WorkspaceRepository[Lead]):
    model = Lead
    not_found = LeadNotFound

    def filtered(self, query: LeadQuery) -> Select[Lead]:
        stmt = self.base()
        if query.status:
            stmt = stmt.where(Lead.status == query.status)
        if query.category:
            stmt = stmt.where(func.lower(Lead.category) == query.category.lower())
        if query.city:
            stmt = stmt.where(func.lower(Lead.city) == query.city.lower())
        if query.search:
            pattern = _like(query.search)
            stmt = stmt.where(
                or_(
                    *(
                        func.lower(column).like(pattern, escape="\\")
                        for column in (Lead.business_name, Lead.email, Lead.phone, Lead.city)
                    )
                )
            )
        return stmt.order_by(Lead.created_at.desc(), Lead.id.desc())

    async def list_page(self, query: LeadQuery, params: PageParams) -> tuple[Sequence[Lead], int]:
        return await self.page(self.filtered(query), params)

    async def lock_keys(self) -> None:
        """Until the transaction ends, other requests checking or writing this workspace's
        dedup keys (place ids, phones) wait: a check then sees every committed lead, and an
        insert never meets a key taken since (which would be a unique violation, a 500)."""
        await serialise_on(self.session, "lead keys", self.workspace_id)

    async def claim_conversion(self, lead_id: uuid.UUID) -> bool:
        """Marks the lead CONVERTED unless it already is: one statement, so of two concurrent
        conversions the second waits for the first's row lock and then matches nothing."""
        result = await self.session.execute(
            update(Lead)
            .where(
                Lead.workspace_id == self.workspace_id,
                Lead.id == lead_id,
                Lead.status != "CONVERTED",
            )
            .values(status="CONVERTED", converted_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def fresh(self, lead_id: uuid.UUID) -> Lead:
        """The lead as committed now (another transaction may have changed it since read)."""
        found = await self.session.scalar(
            self.base().where(Lead.id == lead_id).execution_options(populate_existing=True)
        )
        if found is None:
            raise self.not_found()
        return found

    async def duplicate_of(
        self, place_id: str | None, phone: str | None, exclude: uuid.UUID | None = None
    ) -> Lead | None:
        keys = []
        if place_id:
            keys.append(Lead.google_place_id == place_id)
        if phone:
            keys.append(Lead.phone == phone)
        if not keys:
            return None
        stmt = self.base().where(or_(*keys))
        if exclude is not None:
            stmt = stmt.where(Lead.id != exclude)
        return await self.session.scalar(stmt.limit(1))

    async def existing_keys(
        self, place_ids: Sequence[str], phones: Sequence[str]
    ) -> tuple[set[str], set[str]]:
        """Which of these Google place ids and phones the workspace's leads already hold."""
        places: set[str] = set()
        numbers: set[str] = set()
        for start in range(0, max(len(place_ids), len(phones)), LOOKUP_CHUNK):
            chunk_places = list(place_ids[start : start + LOOKUP_CHUNK])
            chunk_phones = list(phones[start : start + LOOKUP_CHUNK])
            rows = await self.session.execute(
                select(Lead.google_place_id, Lead.phone).where(
                    Lead.workspace_id == self.workspace_id,
                    or_(
                        among(self.session, Lead.google_place_id, chunk_places),
                        among(self.session, Lead.phone, chunk_phones),
                    ),
                )
            )
            for place_id, phone in rows:
                places.add(place_id or "")
                numbers.add(phone or "")
        return places, numbers

    async def count_since(self, start: Any, end: Any) -> tuple[int, int]:
        """(all leads, leads created in [start, end)) in one statement."""
        in_window = (Lead.created_at >= start) & (Lead.created_at < end)
        row = (
            await self.session.execute(
                select(func.count(), func.count().filter(in_window)).where(
                    Lead.workspace_id == self.workspace_id
                )
            )
        ).one()
        return int(row[0]), int(row[1])


class LeadStats(Repository[Lead]):
    """Cross-workspace counts for the platform admin's user list."""

    model = Lead

    async def count_by_owner(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        rows = await self.session.execute(
            select(Lead.owner_id, func.count())
            .where(among(self.session, Lead.owner_id, user_ids))
            .group_by(Lead.owner_id)
        )
        return {owner: count for owner, count in rows if owner is not None}
