"""Queries on segments, scoped by workspace."""

from __future__ import annotations

from collections.abc import Sequence

from kindred.core.repository import WorkspaceRepository
from kindred.segments.errors import SegmentNotFound
from kindred.segments.models import Segment


class SegmentRepository(WorkspaceRepository[Segment]):
    model = Segment
    not_found = SegmentNotFound

    async def listed(self) -> Sequence[Segment]:
        return await self.all(self.base().order_by(Segment.created_at.desc(), Segment.id.desc()))
