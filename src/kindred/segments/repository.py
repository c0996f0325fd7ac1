"""Queries on segments, scoped by workspace."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from kindred.core.repository import WorkspaceRepository
from kindred.segments.errors import SegmentNotFound
from kindred.segments.models import Segment


class SegmentRepository(WorkspaceRepository[Segment]):
    model = Segment
    not_found = SegmentNotFound

    async def locked_or_404(self, segment_id: uuid.UUID, *, share: bool = False) -> Segment:
        """The segment, its row locked until the transaction ends (on PostgreSQL; SQLite runs
        one writer at a time): for update (a delete), or `share`d by those that must keep it
        from being deleted meanwhile."""
        stmt = self.base().where(Segment.id == segment_id).with_for_update(read=share)
        found = await self.session.scalar(stmt)
        if found is None:
            raise self.not_found()
        return found

    async def listed(self) -> Sequence[Segment]:
        return await self.all(self.base().order_by(Segment.created_at.desc(), Segment.id.desc()))
