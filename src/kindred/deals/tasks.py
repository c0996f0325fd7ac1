"""Background work of the deals domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.jobs import scanner
from kindred.deals import service


@scanner("deals.compact_totals")
async def compact_totals(session: AsyncSession, now: datetime) -> int:
    """Every tick: the rollup's deltas since the last tick become one row per key again."""
    return await service.compact_totals(session)
