"""The dashboard overview: document 000's metrics and charts, forecast and funnel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import update

from kindred.analytics.cache import MemoryTileStore
from kindred.analytics.registry import OVERVIEW_METRICS
from kindred.contacts.models import Contact
from kindred.core.db.session import Database
from tests.analytics.clock import Clock
from tests.factories import Actor, signup
from tests.pipeline_helpers import (
    counting_statements,
    make_appointment,
    make_contact,
    make_deal,
    make_lead,
)


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def test_metrics_count_this_workspace_only(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    await make_contact(owner)
    await make_contact(owner, first="Bob")
    await make_lead(owner)
    await make_deal(owner, value=1000)
    await make_deal(owner, title="Won", value=500, stage="CLOSED_WON")
    start = datetime.now(UTC).replace(microsecond=0)
    await make_appointment(
        owner,
        startTime=(start + timedelta(minutes=5)).isoformat(),
        endTime=(start + timedelta(minutes=35)).isoformat(),
    )
    await make_contact(stranger)
    response = await owner.client.get(
        f"/api/analytics/overview?startDate={today()}&endDate={today()}"
    )
    assert response.status_code == 200, response.text
    metrics = response.json()["metrics"]
    assert list(metrics) == list(OVERVIEW_METRICS)
    assert metrics == {
        "totalContacts": 2,
        "newContactsThisMonth": 2,
        "totalLeads": 1,
        "newLeadsThisMonth": 1,
        "activeDeals": 1,
        "dealsValue": 1000,
        "appointmentsScheduled": 1,
        "messagesExchanged": 0,
        "campaignsSent": 0,
        "callsMade": 0,
    }


async def test_contacts_growth_is_cumulative_per_day(app: FastAPI) -> None:
    owner = await signup(app)
    await make_contact(owner)
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    response = await owner.client.get(
        f"/api/analytics/overview?startDate={yesterday}&endDate={today()}"
    )
    growth = response.json()["charts"]["contactsGrowth"]
    assert growth == [{"date": yesterday, "count": 0}, {"date": today(), "count": 1}]


async def test_deals_by_stage_and_forecast(app: FastAPI) -> None:
    owner = await signup(app)
    await make_deal(owner, value=1000, stage="QUALIFIED", expectedCloseDate="2030-01-10")
    await make_deal(owner, value=3000, stage="PROPOSAL", expectedCloseDate="2030-01-20")
    await make_deal(owner, value=500, stage="PROPOSAL", expectedCloseDate="2030-03-01")
    charts = (await owner.client.get("/api/analytics/overview")).json()["charts"]
    assert charts["dealsByStage"] == [
        {"stage": "QUALIFIED", "count": 1, "value": 1000},
        {"stage": "PROPOSAL", "count": 2, "value": 3500},
    ]
    assert charts["forecast"] == [
        {"month": "2030-01", "deals": 2, "value": 4000.0, "weightedValue": 1750.0},
        {"month": "2030-03", "deals": 1, "value": 500.0, "weightedValue": 250.0},
    ]


async def test_stage_funnel_counts_deals_entering_each_stage(app: FastAPI) -> None:
    owner = await signup(app)
    first = await make_deal(owner, stage="LEAD")
    await make_deal(owner, title="Second", stage="LEAD")
    await owner.client.patch(f"/api/deals/{first['id']}/stage", json={"stage": "QUALIFIED"})
    funnel = (await owner.client.get("/api/analytics/overview")).json()["charts"]["stageFunnel"]
    assert funnel[:3] == [
        {"stage": "LEAD", "count": 2, "conversionRate": None},
        {"stage": "QUALIFIED", "count": 1, "conversionRate": 0.5},
        {"stage": "PROPOSAL", "count": 0, "conversionRate": 0.0},
    ]


async def test_bad_dates_are_400(app: FastAPI) -> None:
    owner = await signup(app)
    bad = await owner.client.get("/api/analytics/overview?startDate=2025-13-01")
    reversed_range = await owner.client.get(
        "/api/analytics/overview?startDate=2025-11-13&endDate=2025-11-01"
    )
    too_long = await owner.client.get(
        "/api/analytics/overview?startDate=2020-01-01&endDate=2025-01-01"
    )
    assert (bad.status_code, reversed_range.status_code, too_long.status_code) == (400, 400, 400)


@pytest.fixture
def clock(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The app's tile cache, in memory, on a clock the test moves."""
    clock = Clock()
    monkeypatch.setattr(app.state, "analytics_tiles", MemoryTileStore(clock), raising=False)
    return clock


async def overview(actor: Actor, query: str = "") -> dict[str, Any]:
    response = await actor.client.get(f"/api/analytics/overview{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def backdate(database: Database, contact_id: str, days: int) -> None:
    """What an import keeping the source system's creation dates does."""
    async with database.session_scope() as session:
        await session.execute(
            update(Contact)
            .where(Contact.id == uuid.UUID(contact_id))
            .values(created_at=datetime.now(UTC) - timedelta(days=days))
        )


async def test_a_new_contact_shows_at_once_with_a_warm_cache(app: FastAPI, clock: Clock) -> None:
    owner = await signup(app)
    await make_contact(owner)
    await overview(owner)
    await make_contact(owner, first="Bob")
    body = await overview(owner)
    assert body["metrics"]["totalContacts"] == 2
    assert body["charts"]["contactsGrowth"][-1] == {"date": today(), "count": 2}


async def test_a_backdated_contact_shows_on_its_day_at_once_with_a_warm_cache(
    app: FastAPI, database: Database, clock: Clock
) -> None:
    owner = await signup(app)
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    query = f"?startDate={yesterday}&endDate={today()}"

    async def figures() -> tuple[int, int]:
        body = await overview(owner, query)
        return body["metrics"]["totalContacts"], body["charts"]["contactsGrowth"][0]["count"]

    await backdate(database, await make_contact(owner), days=1)
    await figures()
    await backdate(database, await make_contact(owner, first="Bob"), days=1)
    assert await figures() == (2, 2)


async def test_a_moved_deal_shows_in_the_charts_at_the_latest_after_the_ttl(
    app: FastAPI, clock: Clock
) -> None:
    owner = await signup(app)
    deal = await make_deal(owner, stage="LEAD", value=100)
    await overview(owner)
    await owner.client.patch(f"/api/deals/{deal['id']}/stage", json={"stage": "QUALIFIED"})
    stale = (await overview(owner))["charts"]["dealsByStage"]
    clock.now += app.state.settings.analytics_cache_seconds
    fresh = (await overview(owner))["charts"]["dealsByStage"]
    assert [row["stage"] for row in stale + fresh] == ["LEAD", "QUALIFIED"]


async def test_the_overview_never_reads_the_contacts_table(
    app: FastAPI, database: Database
) -> None:
    owner = await signup(app)
    await make_contact(owner)
    with counting_statements(database) as statements:
        await overview(owner)
    assert [sql for sql in statements if "FROM contacts" in sql] == []
