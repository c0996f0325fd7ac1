"""The rollups behind the overview (contacts per day, deal totals) and the funnel's re-entry
marks: equal to direct counts after every write path, through compaction, a workspace's
deletion and the migration's backfill."""

from __future__ import annotations

import functools
import uuid
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from fastapi import FastAPI
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.analytics.registry import Window
from kindred.contacts import importer
from kindred.contacts import stats as contact_stats
from kindred.contacts.models import Contact, ContactDailyCount
from kindred.contacts.tasks import compact_daily_counts, run_import
from kindred.core.db import migrate, utcnow
from kindred.core.db.session import Database
from kindred.deals import service as deals
from kindred.deals.models import Deal, DealTotal, PipelineStage
from kindred.deals.tasks import compact_totals
from kindred.workspaces.models import Workspace
from tests.factories import Actor, signup
from tests.pipeline_helpers import make_contact, make_deal, make_lead

ContactFigures = tuple[int, int, dict[str, int]]
DealFigures = tuple[Any, ...]


def midnight(days_ago: int) -> datetime:
    return datetime.combine(datetime.now(UTC).date() - timedelta(days=days_ago), time(), UTC)


@functools.cache
def windows() -> list[tuple[datetime, datetime]]:
    """Whole days, and bounds inside days (their far side counted on the contacts table)."""
    now = utcnow()
    return [
        (midnight(3), midnight(-1)),
        (now - timedelta(days=1, hours=3), now + timedelta(hours=1)),
        (midnight(1) + timedelta(hours=1), midnight(1) + timedelta(hours=2)),
    ]


async def counted(database: Database, workspace_id: str) -> list[ContactFigures]:
    """The figures from the rollup, for every window."""
    async with database.session_scope() as session:
        return [
            tuple(await contact_stats.contact_growth(session, uuid.UUID(workspace_id), *w))
            for w in windows()
        ]


async def recounted(database: Database, workspace_id: str) -> list[ContactFigures]:
    """The same figures from the contacts themselves."""
    async with database.session_scope() as session:
        created = (
            await session.scalars(
                select(Contact.created_at).where(Contact.workspace_id == uuid.UUID(workspace_id))
            )
        ).all()
    figures: list[ContactFigures] = []
    for start, end in windows():
        inside = Counter(moment.date().isoformat() for moment in created if start <= moment < end)
        figures.append((len(created), sum(moment < start for moment in created), dict(inside)))
    return figures


async def deal_figures(database: Database, workspace_id: str) -> DealFigures:
    """Open totals, deals by stage and forecast as the overview reads them."""
    workspace = uuid.UUID(workspace_id)
    async with database.session_scope() as session:
        window = Window(midnight(0), midnight(-1))
        return (
            await deals.deal_metrics(session, workspace, window),
            await deals.deals_by_stage(session, workspace),
            await deals.forecast(session, workspace),
        )


async def deal_recount(database: Database, workspace_id: str) -> DealFigures:
    """The same figures from the deals themselves, summed exactly."""
    async with database.session_scope() as session:
        rows = (
            await session.execute(
                select(Deal, PipelineStage.key, PipelineStage.position)
                .join(PipelineStage, PipelineStage.id == Deal.stage_id)
                .where(Deal.workspace_id == uuid.UUID(workspace_id))
                .order_by(PipelineStage.position)
            )
        ).all()
    value = {id(deal): Decimal(str(deal.value)) for deal, _, _ in rows}
    open_deals = [deal for deal, _, _ in rows if deal.is_open]
    stages: dict[str, list[Deal]] = {}
    months: dict[str, list[Deal]] = {}
    for deal, key, _ in rows:
        stages.setdefault(key, []).append(deal)
    for deal in open_deals:
        if deal.expected_close_date:
            months.setdefault(deal.expected_close_date.strftime("%Y-%m"), []).append(deal)

    def total(group: list[Deal]) -> float:
        return float(sum((value[id(deal)] for deal in group), Decimal(0)))

    def weighted(group: list[Deal]) -> float:
        exact = sum((value[id(deal)] * deal.probability for deal in group), Decimal(0))
        return float(exact / 100)

    return (
        {"activeDeals": len(open_deals), "dealsValue": total(open_deals)},
        [(key, len(group), total(group)) for key, group in stages.items()],
        [(m, len(group), total(group), weighted(group)) for m, group in sorted(months.items())],
    )


async def backdate(database: Database, contact_id: str, days: int) -> None:
    """What an import keeping the source system's creation dates does."""
    async with database.session_scope() as session:
        await session.execute(
            update(Contact)
            .where(Contact.id == uuid.UUID(contact_id))
            .values(created_at=utcnow() - timedelta(days=days))
        )


async def import_rows(owner: Actor, rows: list[dict[str, str]]) -> dict[str, Any]:
    response = await owner.client.post("/api/contacts/import", json={"rows": rows})
    assert response.status_code in (200, 202), response.text
    body: dict[str, Any] = response.json()
    return body


async def write_contacts_every_way(
    owner: Actor, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Creates, imports (now and in the background), converts, backdates and deletes."""
    kept = await make_contact(owner)
    doomed = await make_contact(owner, first="Bob")
    rows = [{"firstName": f"Imported {n}", "email": f"imp{n}@example.com"} for n in range(3)]
    await import_rows(owner, [*rows, {"email": "imp0@example.com", "lastName": "Again"}, {}])
    monkeypatch.setattr(importer, "BACKGROUND_ABOVE", 2)
    queued = await import_rows(owner, [{"firstName": f"Later {n}"} for n in range(3)])
    async with database.session_scope() as session:
        await run_import(session, workspace=owner.workspace_id, job_id=queued["jobId"])
    lead = await make_lead(owner)
    convert = {"contactData": {"firstName": "Maria"}}
    assert (await owner.client.post(f"/api/leads/{lead['id']}/convert", json=convert)).is_success
    await backdate(database, kept, days=1)
    await backdate(database, await make_contact(owner, first="Old"), days=2)
    assert (await owner.client.delete(f"/api/contacts/{doomed}")).is_success


async def write_deals_every_way(owner: Actor) -> None:
    """Creates with and without close dates and cents, updates, moves, closes and deletes."""
    made = [
        await make_deal(owner, value=0.1, stage="LEAD", expectedCloseDate="2030-01-10"),
        await make_deal(owner, value=0.2, stage="LEAD", expectedCloseDate="2030-01-31"),
        await make_deal(owner, value=1000.55, stage="PROPOSAL", expectedCloseDate="2030-02-01"),
        await make_deal(owner, value=15000, stage="QUALIFIED"),
        await make_deal(owner, value=70, stage="NEGOTIATION", expectedCloseDate="2030-03-01"),
    ]
    changes = {"value": 2500.25, "expectedCloseDate": "2030-04-15", "probability": 33}
    assert (await owner.client.patch(f"/api/deals/{made[0]['id']}", json=changes)).is_success
    won = {"stage": "CLOSED_WON"}
    assert (await owner.client.patch(f"/api/deals/{made[2]['id']}/stage", json=won)).is_success
    assert (await owner.client.delete(f"/api/deals/{made[4]['id']}")).is_success


async def test_contact_counts_equal_a_direct_count_after_every_write_path(
    app: FastAPI, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signup(app)
    await write_contacts_every_way(owner, database, monkeypatch)
    assert await counted(database, owner.workspace_id) == await recounted(
        database, owner.workspace_id
    )


async def test_deal_totals_equal_exact_sums_after_every_write_path(app: FastAPI) -> None:
    owner = await signup(app)
    await write_deals_every_way(owner)
    database: Database = app.state.database
    assert await deal_figures(database, owner.workspace_id) == await deal_recount(
        database, owner.workspace_id
    )


async def deltas(session: AsyncSession) -> int:
    pending = 0
    for table in (ContactDailyCount, DealTotal):
        pending += int(await session.scalar(select(func.count()).where(~table.compacted)) or 0)
    return pending


async def test_compaction_folds_the_deltas_and_keeps_the_figures(
    app: FastAPI, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signup(app)
    await write_contacts_every_way(owner, database, monkeypatch)
    await write_deals_every_way(owner)
    before = (
        await counted(database, owner.workspace_id),
        await deal_figures(database, owner.workspace_id),
    )
    async with database.session_scope() as session:
        await compact_daily_counts(session, utcnow())
        await compact_totals(session, utcnow())
    async with database.session_scope() as session:
        assert await deltas(session) == 0
    after = (
        await counted(database, owner.workspace_id),
        await deal_figures(database, owner.workspace_id),
    )
    assert after == before


async def test_deleting_a_workspace_takes_its_rollup_rows(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    await make_contact(owner)
    await make_deal(owner)
    workspace_id = uuid.UUID(owner.workspace_id)
    async with database.session_scope() as session:
        await session.execute(delete(Workspace).where(Workspace.id == workspace_id))
    async with database.session_scope() as session:
        left = [
            await session.scalar(
                select(func.count()).select_from(table).where(table.workspace_id == workspace_id)
            )
            for table in (ContactDailyCount, DealTotal)
        ]
    assert left == [0, 0]


async def funnels(database: Database, owner: Actor, deal_id: str) -> list[dict[str, int]]:
    """The funnel of a window starting at each moment of the deal's history, up to now."""
    workspace = uuid.UUID(owner.workspace_id)
    async with database.session_scope() as session:
        history = await deals.stage_history(session, workspace, uuid.UUID(deal_id))
        end = utcnow() + timedelta(seconds=1)
        return [
            dict(await deals.funnel(session, workspace, change.changed_at, end))
            for change in history
        ]


async def distinct_entries(database: Database, owner: Actor, deal_id: str) -> list[dict[str, int]]:
    """The same, de-duplicating (stage, deal) pairs over the history."""
    workspace = uuid.UUID(owner.workspace_id)
    async with database.session_scope() as session:
        history = await deals.stage_history(session, workspace, uuid.UUID(deal_id))
        stages = [stage for stage, _ in await deals.funnel(session, workspace, utcnow(), utcnow())]
    expected = []
    for change in history:
        entered = {later.to_stage for later in history if later.changed_at >= change.changed_at}
        expected.append({stage: int(stage in entered) for stage in stages})
    return expected


async def test_the_funnel_counts_a_deal_once_per_stage_it_entered_in_the_window(
    app: FastAPI, database: Database
) -> None:
    owner = await signup(app)
    deal = await make_deal(owner, stage="LEAD")
    for stage in ("QUALIFIED", "LEAD", "QUALIFIED", "PROPOSAL"):
        moved = await owner.client.patch(f"/api/deals/{deal['id']}/stage", json={"stage": stage})
        assert moved.is_success
    assert await funnels(database, owner, deal["id"]) == await distinct_entries(
        database, owner, deal["id"]
    )


def down_and_up_again(connection: Connection) -> None:
    """Drops the rollups and re-entry marks (the revision before them), then rebuilds them."""
    command.downgrade(migrate.alembic_config(connection=connection), "0012_campaign_headers")
    migrate.upgrade_on(connection)


async def test_the_migration_backfills_the_rollups_and_reentries(
    app: FastAPI, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signup(app)
    await write_contacts_every_way(owner, database, monkeypatch)
    await write_deals_every_way(owner)
    deal = await make_deal(owner, stage="LEAD")
    for stage in ("QUALIFIED", "LEAD", "QUALIFIED"):
        await owner.client.patch(f"/api/deals/{deal['id']}/stage", json={"stage": stage})
    expected = (
        await recounted(database, owner.workspace_id),
        await deal_recount(database, owner.workspace_id),
        await distinct_entries(database, owner, deal["id"]),
    )
    async with database.engine.begin() as connection:
        await connection.run_sync(down_and_up_again)
    assert (
        await counted(database, owner.workspace_id),
        await deal_figures(database, owner.workspace_id),
        await funnels(database, owner, deal["id"]),
    ) == expected
