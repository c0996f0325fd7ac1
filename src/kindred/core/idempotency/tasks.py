"""Expired idempotency records are purged on every scheduler tick (an indexed delete)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.idempotency.repository import IdempotencyRepository
from kindred.core.jobs import scanner


@scanner("idempotency.purge_expired")
async def purge_expired(session: AsyncSession, now: datetime) -> int:
    return await IdempotencyRepository(session).purge_expired(now)
