"""Checks of the app, the database, Redis and the job queue."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.jobs import queue_stats
from kindred.health.repository import ping


@dataclass(frozen=True)
class Check:
    ok: bool
    status: str
    error: str | None = None
    message: str | None = None


async def check_database(session: AsyncSession) -> Check:
    try:
        await ping(session)
    except Exception as error:
        return Check(False, "ERROR", error=type(error).__name__)
    return Check(True, "OK")


async def check_redis(redis_url: str | None) -> Check:
    if not redis_url:
        return Check(
            True,
            "NOT_CONFIGURED",
            message="Redis is not configured: the embedded set-up runs without it.",
        )
    client = aioredis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    except Exception as error:
        return Check(False, "ERROR", error=f"{type(error).__name__}: cannot reach Redis")
    finally:
        await client.aclose()
    return Check(True, "OK")


async def check_queue(session: AsyncSession) -> tuple[Check, dict[str, int] | None]:
    try:
        stats = await queue_stats(session)
    except Exception as error:
        return Check(False, "ERROR", error=type(error).__name__), None
    return Check(True, "OK"), stats
