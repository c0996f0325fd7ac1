"""Dashboard counters contributed by the domains that own the data.

A domain registers `async def counts(session, workspace_id, window) -> {metric: number}` with
`@overview_metrics`; the overview starts every documented metric at 0 and adds what the
registered counters return, so a domain built later (messages, campaigns, calls) only
registers its counter. Same pattern as `kindred.admin.stats.user_stat`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

OVERVIEW_METRICS = (
    "totalContacts",
    "newContactsThisMonth",
    "totalLeads",
    "newLeadsThisMonth",
    "activeDeals",
    "dealsValue",
    "appointmentsScheduled",
    "messagesExchanged",
    "campaignsSent",
    "callsMade",
)


@dataclass(frozen=True)
class Window:
    """The dashboard's period: `start` inclusive, `end` exclusive, both UTC."""

    start: datetime
    end: datetime


MetricCounter = Callable[[AsyncSession, uuid.UUID, Window], Awaitable[dict[str, float]]]

METRIC_COUNTERS: dict[str, MetricCounter] = {}


def overview_metrics(counter: MetricCounter) -> MetricCounter:
    """Registers a counter (keyed by its qualified name, so a re-import does not add it twice)."""
    METRIC_COUNTERS[f"{counter.__module__}.{counter.__qualname__}"] = counter
    return counter


async def collect(
    session: AsyncSession, workspace_id: uuid.UUID, window: Window
) -> dict[str, float]:
    metrics: dict[str, float] = dict.fromkeys(OVERVIEW_METRICS, 0)
    for counter in METRIC_COUNTERS.values():
        metrics.update(await counter(session, workspace_id, window))
    return metrics
