"""The dashboard overview, computed by a handful of aggregate queries whatever the data size.

Metrics come from the counters domains register (`analytics.registry`); charts are the
contacts growth (one count before the window plus one GROUP BY day inside it), deals by
stage, the pipeline forecast (value x probability per month of expected close) and the
stage funnel (deals that entered each stage in the window, from the stage history).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

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
    """The contact metrics and the growth chart (contacts existing at the end of each day).

    One count over the whole workspace; the others read only the window and what follows it
    through the (workspace_id, created_at) index.
    """
    total = await contact_stats.count_contacts(session, workspace_id)
    running = total - await contact_stats.count_contacts(session, workspace_id, window.start)
    per_day = await contact_stats.new_contacts_per_day(
        session, workspace_id, window.start, window.end
    )
    points: list[dict[str, Any]] = []
    day = window.start
    while day < window.end:
        key = day.strftime("%Y-%m-%d")
        running += per_day.get(key, 0)
        points.append({"date": key, "count": running})
        day += timedelta(days=1)
    new = sum(per_day.values())
    return {"totalContacts": total, "newContactsThisMonth": new}, points


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
) -> dict[str, Any]:
    window = window_for(start, end, utcnow())
    contact_metrics, growth = await contact_figures(session, workspace_id, window)
    by_stage = await deals.deals_by_stage(session, workspace_id)
    months = await deals.forecast(session, workspace_id)
    return {
        "metrics": await collect(session, workspace_id, window) | contact_metrics,
        "charts": {
            "contacts_growth": growth,
            "deals_by_stage": [
                {"stage": stage, "count": count, "value": value} for stage, count, value in by_stage
            ],
            "forecast": [
                {"month": month, "deals": n, "value": value, "weighted_value": weighted}
                for month, n, value, weighted in months
            ],
            "stage_funnel": _funnel(
                await deals.funnel(session, workspace_id, window.start, window.end)
            ),
        },
    }
