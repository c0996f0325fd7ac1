"""The dashboard overview, computed by a handful of aggregate queries whatever the data size.

Metrics come from the counters domains register (`analytics.registry`); charts are the
contacts growth, deals by stage, the pipeline forecast (value x probability per month of
expected close) and the stage funnel (deals that entered each stage in the window, from the
stage history). Contact and deal figures are read from rollups the database keeps exact
(`kindred.core.db.rollup`), a few rows per day or stage; the deal charts are also served
through `analytics.cache`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.analytics.cache import TileCache
from kindred.analytics.registry import Window, collect
from kindred.contacts import stats as contact_stats
from kindred.core.db import utcnow
from kindred.core.errors import ValidationFailed
from kindred.deals import service as deals

MAX_DAYS = 366


def window_for(start: datetime | None, end: datetime | None, now: datetime) -> Window:
    """The requested window; by default the current month up to the end of today (UTC)."""
    today = datetime.combine(now.date(), time(), UTC)
    end = end or today + timedelta(days=1)
    start = start or datetime.combine(today.date().replace(day=1), time(), UTC)
    if end - start > timedelta(days=MAX_DAYS):
        message = f"The range may cover at most {MAX_DAYS} days"
        raise ValidationFailed(message, details=[{"field": "startDate", "message": message}])
    return Window(start=start, end=end)


async def contact_figures(
    session: AsyncSession, workspace_id: uuid.UUID, window: Window
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """The contact metrics and the growth chart (contacts existing at the end of each day),
    live from the contacts-per-day rollup."""
    growth = await contact_stats.contact_growth(session, workspace_id, window.start, window.end)
    metrics: dict[str, float] = {
        "totalContacts": growth.total,
        "newContactsThisMonth": sum(growth.per_day.values()),
    }
    return metrics, _growth(window, growth.before, growth.per_day)


def _growth(window: Window, running: int, per_day: dict[str, int]) -> list[dict[str, Any]]:
    """Contacts existing at the end of each day: `running` before the window, plus each day's."""
    points: list[dict[str, Any]] = []
    day = window.start
    while day < window.end:
        key = day.strftime("%Y-%m-%d")
        running += per_day.get(key, 0)
        points.append({"date": key, "count": running})
        day += timedelta(days=1)
    return points


async def _deal_charts(
    session: AsyncSession, workspace_id: uuid.UUID, window: Window, cache: TileCache
) -> dict[str, list[dict[str, Any]]]:
    async def by_stage() -> list[dict[str, Any]]:
        totals = await deals.deals_by_stage(session, workspace_id)
        return [{"stage": stage, "count": n, "value": value} for stage, n, value in totals]

    async def forecast() -> list[dict[str, Any]]:
        return [
            {"month": month, "deals": n, "value": value, "weighted_value": weighted}
            for month, n, value, weighted in await deals.forecast(session, workspace_id)
        ]

    async def funnel() -> list[dict[str, Any]]:
        return _funnel(await deals.funnel(session, workspace_id, window.start, window.end))

    scope = _scope(window)
    return {
        "deals_by_stage": await cache.tile("deals_by_stage", "all", by_stage),
        "forecast": await cache.tile("forecast", "all", forecast),
        "stage_funnel": await cache.tile("stage_funnel", scope, funnel),
    }


def _scope(window: Window) -> str:
    return f"{window.start.isoformat()}/{window.end.isoformat()}"


def _funnel(entered: list[tuple[str, int]]) -> list[dict[str, Any]]:
    steps = []
    previous: int | None = None
    for stage, count in entered:
        rate = round(count / previous, 4) if previous else None
        steps.append({"stage": stage, "count": count, "conversion_rate": rate})
        previous = count if count else previous
    return steps


async def overview(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    start: datetime | None,
    end: datetime | None,
    cache: TileCache,
) -> dict[str, Any]:
    window = window_for(start, end, utcnow())
    contact_metrics, growth = await contact_figures(session, workspace_id, window)
    return {
        "metrics": await collect(session, workspace_id, window) | contact_metrics,
        "charts": {"contacts_growth": growth}
        | await _deal_charts(session, workspace_id, window, cache),
    }
