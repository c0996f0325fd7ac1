"""Deals: list (contacts embedded in a fixed number of queries), create, update, delete, and
stage moves, each kept as history and as a stage_change interaction on the deal's contacts.

A move is one unit of work with the request: if writing any interaction fails, the deal's
stage and history are rolled back with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.admin.stats import user_stat
from kindred.analytics.registry import Window, overview_metrics
from kindred.companies import service as companies
from kindred.contacts import interactions
from kindred.contacts import stats as contact_lookup
from kindred.contacts.models import Contact
from kindred.core.db import utcnow
from kindred.core.db.rollup import compact
from kindred.core.events import emit
from kindred.core.schemas import PageParams
from kindred.deals import pipelines
from kindred.deals.errors import DealReferenceGone
from kindred.deals.models import Deal, DealStageChange, Pipeline, PipelineStage
from kindred.deals.repository import DEAL_TOTALS, DealRepository, DealStats
from kindred.deals.schemas import DealRead
from kindred.workspaces.members import require_member

SCALAR_FIELDS = ("title", "value", "currency", "expected_close_date", "lost_reason")


@dataclass
class DealView:
    """A deal as the API shows it: its stage key and its contacts."""

    deal: Deal
    stage: str
    contacts: list[Contact] = field(default_factory=list)


async def _views(
    session: AsyncSession, workspace_id: uuid.UUID, deals: Sequence[Deal]
) -> list[DealView]:
    """Two queries whatever the number of deals: the links, then the linked contacts."""
    links = await DealRepository(session, workspace_id).contact_links([d.id for d in deals])
    found = await contact_lookup.contacts_by_ids(
        session, workspace_id, list({contact_id for _, contact_id in links})
    )
    by_deal: dict[uuid.UUID, list[Contact]] = {}
    for deal_id, contact_id in links:
        if contact_id in found:
            by_deal.setdefault(deal_id, []).append(found[contact_id])
    return [
        DealView(
            deal,
            deal.stage.key,
            sorted(by_deal.get(deal.id, []), key=lambda c: (c.last_name or "", c.first_name or "")),
        )
        for deal in deals
    ]


async def _view(session: AsyncSession, workspace_id: uuid.UUID, deal_id: uuid.UUID) -> DealView:
    deal = await DealRepository(session, workspace_id).get_with_stage(deal_id)
    return (await _views(session, workspace_id, [deal]))[0]


async def list_deals(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    stage: str | None,
    pipeline_id: uuid.UUID | None,
    params: PageParams,
) -> tuple[list[DealView], int]:
    repository = DealRepository(session, workspace_id)
    deals, total = await repository.list_page(stage.upper() if stage else None, pipeline_id, params)
    return await _views(session, workspace_id, deals), total


async def get_deal(session: AsyncSession, workspace_id: uuid.UUID, deal_id: uuid.UUID) -> DealView:
    return await _view(session, workspace_id, deal_id)


async def _check_references(
    session: AsyncSession, workspace_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """Contacts, company and owner must belong to this workspace (404 / 400 otherwise)."""
    if values.get("contact_ids"):
        await contact_lookup.require_contacts(session, workspace_id, values["contact_ids"])
    if values.get("company_id") is not None:
        await companies.get_company(session, workspace_id, values["company_id"])
    if values.get("owner_id") is not None:
        await require_member(session, workspace_id, values["owner_id"])


def _enter_stage(deal: Deal, stage: PipelineStage, probability: int | None) -> None:
    deal.stage_id = stage.id
    deal.probability = stage.probability if probability is None else probability
    deal.is_open = stage.kind == "open"
    deal.closed_at = None if deal.is_open else utcnow()


async def create_deal(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID, fields: dict[str, Any]
) -> DealView:
    await _check_references(session, workspace_id, fields)
    pipeline = await pipelines.get_pipeline(session, workspace_id, fields.get("pipeline_id"))
    stage = (
        pipelines.stage_named(pipeline, fields["stage"])
        if fields.get("stage")
        else pipeline.stages[0]
    )
    deal = Deal(
        pipeline_id=pipeline.id,
        owner_id=fields.get("owner_id") or user_id,
        company_id=fields.get("company_id"),
        **{name: fields[name] for name in SCALAR_FIELDS if fields.get(name) is not None},
    )
    _enter_stage(deal, stage, fields.get("probability"))
    repository = DealRepository(session, workspace_id)
    if not await repository.add_referring(deal):
        raise DealReferenceGone()
    await repository.set_contacts(deal.id, fields.get("contact_ids") or [])
    await repository.add_change(
        DealStageChange(
            deal_id=deal.id,
            pipeline_id=pipeline.id,
            to_stage=stage.key,
            probability=deal.probability,
            user_id=user_id,
        )
    )
    return await _view(session, workspace_id, deal.id)


async def update_deal(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    deal_id: uuid.UUID,
    changes: dict[str, Any],
) -> DealView:
    """Partial update; a `stage` among the changes is a stage move like PATCH …/stage."""
    repository = DealRepository(session, workspace_id)
    deal = await repository.get_or_404(deal_id)
    await _check_references(session, workspace_id, changes)
    for name in (*SCALAR_FIELDS, "company_id", "owner_id"):
        if name in changes:
            setattr(deal, name, changes[name])
    if changes.get("contact_ids") is not None:
        await repository.set_contacts(deal.id, changes["contact_ids"])
    await session.flush()
    if changes.get("stage"):
        return await move_stage(
            session, workspace_id, user_id, deal_id, changes["stage"], changes.get("probability")
        )
    if changes.get("probability") is not None:
        deal.probability = changes["probability"]
    await session.flush()
    return await _view(session, workspace_id, deal.id)


async def move_stage(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    deal_id: uuid.UUID,
    stage_key: str,
    probability: int | None,
    lost_reason: str | None = None,
) -> DealView:
    """Moves the deal; a move to another stage writes history and one interaction per contact.
    Concurrent moves of one deal run one after the other, each from the stage the last left."""
    await DealRepository(session, workspace_id).touch(deal_id)
    view = await _view(session, workspace_id, deal_id)
    deal = view.deal
    pipeline = await pipelines.get_pipeline(session, workspace_id, deal.pipeline_id)
    target = pipelines.stage_named(pipeline, stage_key)
    if lost_reason is not None:
        deal.lost_reason = lost_reason
    if target.id == deal.stage_id:
        deal.probability = deal.probability if probability is None else probability
        await session.flush()
        return await _view(session, workspace_id, deal.id)
    _enter_stage(deal, target, probability)
    await _record_move(session, workspace_id, user_id, view, pipeline, target)
    moved = await _view(session, workspace_id, deal.id)
    await _emit_moved(session, workspace_id, view.stage, moved)
    return moved


async def _emit_moved(
    session: AsyncSession, workspace_id: uuid.UUID, from_stage: str, moved: DealView
) -> None:
    """One `deal.stage_changed` per move; an event has one contact, so it names the deal's
    first (the webhooks keep deliveries in order per contact), and `deal.contacts` lists all."""
    await emit(
        session,
        workspace_id=workspace_id,
        type="deal.stage_changed",
        data={
            "deal": DealRead.model_validate(moved).model_dump(mode="json"),
            "fromStage": from_stage,
            "toStage": moved.stage,
        },
        contact_id=moved.contacts[0].id if moved.contacts else None,
    )


async def _record_move(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    view: DealView,
    pipeline: Pipeline,
    target: PipelineStage,
) -> None:
    deal = view.deal
    await DealRepository(session, workspace_id).add_change(
        DealStageChange(
            deal_id=deal.id,
            pipeline_id=pipeline.id,
            from_stage=view.stage,
            to_stage=target.key,
            probability=deal.probability,
            user_id=user_id,
        )
    )
    for contact in view.contacts:
        await interactions.record_interaction(
            session,
            workspace_id,
            contact.id,
            type="stage_change",
            subject=f"Deal {deal.title} moved from {view.stage} to {target.key}",
            metadata={"dealId": str(deal.id), "from": view.stage, "to": target.key},
            user_id=user_id,
        )


async def delete_deal(session: AsyncSession, workspace_id: uuid.UUID, deal_id: uuid.UUID) -> None:
    repository = DealRepository(session, workspace_id)
    await repository.delete(await repository.get_or_404(deal_id))


async def stage_history(
    session: AsyncSession, workspace_id: uuid.UUID, deal_id: uuid.UUID
) -> Sequence[DealStageChange]:
    repository = DealRepository(session, workspace_id)
    await repository.get_or_404(deal_id)
    return await repository.history(deal_id)


async def deals_by_stage(
    session: AsyncSession, workspace_id: uuid.UUID
) -> list[tuple[str, int, float]]:
    return await DealRepository(session, workspace_id).by_stage()


async def forecast(
    session: AsyncSession, workspace_id: uuid.UUID
) -> list[tuple[str, int, float, float]]:
    return await DealRepository(session, workspace_id).forecast()


async def funnel(
    session: AsyncSession, workspace_id: uuid.UUID, start: datetime, end: datetime
) -> list[tuple[str, int]]:
    """Deals that entered each default-pipeline stage in the window, in stage order."""
    pipeline = await pipelines.default_pipeline(session, workspace_id)
    entered = await DealRepository(session, workspace_id).funnel(start, end)
    return [(stage.key, entered.get(stage.key, 0)) for stage in pipeline.stages]


async def compact_totals(session: AsyncSession) -> int:
    """Folds the deal totals rollup's deltas (`kindred.core.db.rollup`)."""
    return await compact(session, DEAL_TOTALS)


@user_stat("deals")
async def count_deals_by_owner(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    return await DealStats(session).count_by_owner(user_ids)


@overview_metrics
async def deal_metrics(
    session: AsyncSession, workspace_id: uuid.UUID, window: Window
) -> dict[str, float]:
    active, value = await DealRepository(session, workspace_id).open_totals()
    return {"activeDeals": active, "dealsValue": value}
