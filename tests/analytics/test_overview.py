"""The dashboard overview: document 000's metrics and charts, forecast and funnel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from kindred.analytics.registry import OVERVIEW_METRICS
from tests.factories import signup
from tests.pipeline_helpers import make_appointment, make_contact, make_deal, make_lead


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
