"""Every query on pipelines, stages, deals, deal contacts and stage history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from kindred.core.db import Base, utcnow
from kindred.core.db.dialect import among, serialise_on
from kindred.core.db.rollup import Rollup
from kindred.core.repository import Repository, WorkspaceRepository
from kindred.core.schemas import PageParams
from kindred.deals.errors import DealNotFound, PipelineNotFound
from kindred.deals.models import (
    Deal,
    DealContact,
    DealStageChange,
    DealTotal,
    Pipeline,
    PipelineStage,
)


async def _written(session: AsyncSession, row: Base, *, deleted: bool = False) -> bool:
    """Inserts (or deletes) the row in a savepoint; False when a constraint refuses it because
    a concurrent request deleted a row it refers to, took its unique key, or gave it a referrer.
    Checks made before a write can race; the constraints cannot."""
    try:
        async with session.begin_nested():
            if deleted:
                await session.delete(row)
            else:
                session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


class PipelineRepository(WorkspaceRepository[Pipeline]):
    model = Pipeline
    not_found = PipelineNotFound

    def with_stages(self, stmt: Select[Pipeline]) -> Select[Pipeline]:
        return stmt.options(selectinload(Pipeline.stages)).execution_options(populate_existing=True)

    async def listed(self) -> Sequence[Pipeline]:
        return await self.all(self.with_stages(self.base().order_by(Pipeline.created_at)))

    async def get_with_stages(self, pipeline_id: uuid.UUID) -> Pipeline:
        found = await self.session.scalar(
            self.with_stages(self.base().where(Pipeline.id == pipeline_id))
        )
        if found is None:
            raise self.not_found()
        return found

    async def default(self) -> Pipeline | None:
        return await self.session.scalar(
            self.with_stages(self.base().where(Pipeline.is_default.is_(True)))
        )

    async def by_name(self, name: str) -> Pipeline | None:
        return await self.session.scalar(self.base().where(Pipeline.name == name))

    async def create(self, pipeline: Pipeline, stages: Sequence[PipelineStage]) -> bool:
        """Inserts a pipeline and its stages in a savepoint; False when its name was taken."""
        try:
            async with self.session.begin_nested():
                await self.add(pipeline)
                for stage in stages:
                    stage.workspace_id, stage.pipeline_id = self.workspace_id, pipeline.id
                    self.session.add(stage)
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def make_default(self, pipeline: Pipeline) -> None:
        """Makes the pipeline the workspace's only default. Two requests doing this at once
        run one after the other, so the second clears the first's: one default remains."""
        await serialise_on(self.session, "default pipeline", self.workspace_id)
        for other in await self.all(self.base().where(Pipeline.is_default.is_(True))):
            other.is_default = False
        pipeline.is_default = True

    async def save(self, pipeline: Pipeline) -> bool:
        """False when a concurrent request gave another pipeline this name first."""
        return await _written(self.session, pipeline)

    async def add_stage(self, stage: PipelineStage) -> bool:
        """False when a concurrent request added a stage with this key first."""
        stage.workspace_id = self.workspace_id
        return await _written(self.session, stage)

    async def delete_unused(self, pipeline: Pipeline) -> bool:
        """False when a deal entered the pipeline after it was counted (its stage is
        RESTRICTed by the deal)."""
        return await _written(self.session, pipeline, deleted=True)


class DealRepository(WorkspaceRepository[Deal]):
    model = Deal
    not_found = DealNotFound

    def listed(self, stage_key: str | None, pipeline_id: uuid.UUID | None) -> Select[Deal]:
        stmt = self.base().join(Deal.stage).options(joinedload(Deal.stage))
        if stage_key:
            stmt = stmt.where(PipelineStage.key == stage_key)
        if pipeline_id:
            stmt = stmt.where(Deal.pipeline_id == pipeline_id)
        return stmt.order_by(Deal.created_at.desc(), Deal.id.desc())

    async def list_page(
        self, stage_key: str | None, pipeline_id: uuid.UUID | None, params: PageParams
    ) -> tuple[Sequence[Deal], int]:
        return await self.page(self.listed(stage_key, pipeline_id), params)

    async def add_referring(self, deal: Deal) -> bool:
        """False when its pipeline, stage, company or owner was deleted meanwhile."""
        deal.workspace_id = self.workspace_id
        return await _written(self.session, deal)

    async def touch(self, deal_id: uuid.UUID) -> None:
        """Sets `updated_at`, taking the deal's row lock (PostgreSQL) or the write lock
        (SQLite) until the transaction ends: a concurrent stage move waits here, then reads
        what this one left rather than the stage both started from."""
        await self.session.execute(
            update(Deal)
            .where(Deal.workspace_id == self.workspace_id, Deal.id == deal_id)
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    async def get_with_stage(self, deal_id: uuid.UUID) -> Deal:
        found = await self.session.scalar(
            self.base()
            .where(Deal.id == deal_id)
            .options(joinedload(Deal.stage))
            .execution_options(populate_existing=True)
        )
        if found is None:
            raise self.not_found()
        return found

    async def count_in_pipeline(self, pipeline_id: uuid.UUID) -> int:
        return await self.count(self.base().where(Deal.pipeline_id == pipeline_id))

    async def contact_links(
        self, deal_ids: Sequence[uuid.UUID]
    ) -> list[tuple[uuid.UUID, uuid.UUID]]:
        if not deal_ids:
            return []
        rows = await self.session.execute(
            select(DealContact.deal_id, DealContact.contact_id).where(
                DealContact.workspace_id == self.workspace_id,
                among(self.session, DealContact.deal_id, deal_ids),
            )
        )
        return [(deal_id, contact_id) for deal_id, contact_id in rows]

    async def set_contacts(self, deal_id: uuid.UUID, contact_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(
            delete(DealContact).where(
                DealContact.workspace_id == self.workspace_id, DealContact.deal_id == deal_id
            )
        )
        if contact_ids:
            await self.session.execute(
                insert(DealContact),
                [
                    {"workspace_id": self.workspace_id, "deal_id": deal_id, "contact_id": cid}
                    for cid in dict.fromkeys(contact_ids)
                ],
            )

    async def add_change(self, change: DealStageChange) -> None:
        """Appends a history row; a move records when the deal last entered that stage."""
        change.workspace_id = self.workspace_id
        if change.from_stage is not None:
            change.previous_entry_at = await self.session.scalar(
                select(func.max(DealStageChange.changed_at)).where(
                    DealStageChange.workspace_id == self.workspace_id,
                    DealStageChange.deal_id == change.deal_id,
                    DealStageChange.to_stage == change.to_stage,
                )
            )
        self.session.add(change)
        await self.session.flush()

    async def history(self, deal_id: uuid.UUID) -> Sequence[DealStageChange]:
        return (
            await self.session.scalars(
                select(DealStageChange)
                .where(
                    DealStageChange.workspace_id == self.workspace_id,
                    DealStageChange.deal_id == deal_id,
                )
                .order_by(DealStageChange.changed_at, DealStageChange.id)
            )
        ).all()

    async def open_totals(self) -> tuple[int, float]:
        row = (
            await self.session.execute(
                select(func.sum(DealTotal.deals), func.sum(DealTotal.value_cents)).where(
                    DealTotal.workspace_id == self.workspace_id, DealTotal.is_open.is_(True)
                )
            )
        ).one()
        return int(row[0] or 0), _amount(row[1])

    async def by_stage(self) -> list[tuple[str, int, float]]:
        """(stage key, deals, value) per stage holding deals, in pipeline order."""
        deals = func.sum(DealTotal.deals)
        totals = (
            select(DealTotal.stage_id, deals.label("n"), func.sum(DealTotal.value_cents).label("v"))
            .where(DealTotal.workspace_id == self.workspace_id)
            .group_by(DealTotal.stage_id)
            .having(deals > 0)
            .subquery()
        )
        rows = await self.session.execute(
            select(PipelineStage.key, totals.c.n, totals.c.v)
            .join(totals, totals.c.stage_id == PipelineStage.id)
            .join(Pipeline, Pipeline.id == PipelineStage.pipeline_id)
            .order_by(Pipeline.is_default.desc(), Pipeline.created_at, PipelineStage.position)
        )
        return [(key, int(n), _amount(v)) for key, n, v in rows]

    async def forecast(self) -> list[tuple[str, int, float, float]]:
        """(month of expected close, open deals, value, value x probability) per month."""
        deals = func.sum(DealTotal.deals)
        rows = await self.session.execute(
            select(
                DealTotal.close_month,
                deals,
                func.sum(DealTotal.value_cents),
                func.sum(DealTotal.weighted_cents),
            )
            .where(
                DealTotal.workspace_id == self.workspace_id,
                DealTotal.is_open.is_(True),
                DealTotal.close_month != "",
            )
            .group_by(DealTotal.close_month)
            .having(deals > 0)
            .order_by(DealTotal.close_month)
        )
        return [(m, int(n), _amount(v), _amount(w, 100 * 100)) for m, n, v, w in rows]

    async def funnel(self, start: datetime, end: datetime) -> dict[str, int]:
        """Distinct deals that entered each stage (by key) in [start, end): the entries whose
        deal had not entered that stage since `start` (so no DISTINCT over the pairs)."""
        first_in_window = DealStageChange.previous_entry_at.is_(None) | (
            DealStageChange.previous_entry_at < start
        )
        rows = await self.session.execute(
            select(DealStageChange.to_stage, func.count())
            .where(
                DealStageChange.workspace_id == self.workspace_id,
                DealStageChange.changed_at >= start,
                DealStageChange.changed_at < end,
                first_in_window,
            )
            .group_by(DealStageChange.to_stage)
        )
        return {stage: int(count) for stage, count in rows}


def _amount(units: Decimal | int | None, per_currency_unit: int = 100) -> float:
    """An amount from a sum of whole cents (or of cents x percent), divided once."""
    return int(units or 0) / per_currency_unit


DEAL_TOTALS = Rollup(
    DealTotal.__table__,  # type: ignore[arg-type]
    keys=("workspace_id", "stage_id", "is_open", "close_month"),
    sums=("deals", "value_cents", "weighted_cents"),
)


class DealStats(Repository[Deal]):
    """Cross-workspace counts for the platform admin's user list."""

    model = Deal

    async def count_by_owner(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        rows = await self.session.execute(
            select(Deal.owner_id, func.count())
            .where(among(self.session, Deal.owner_id, user_ids))
            .group_by(Deal.owner_id)
        )
        return {owner: count for owner, count in rows if owner is not None}
