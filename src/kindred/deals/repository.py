"""Every query on pipelines, stages, deals, deal contacts and stage history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from kindred.core.db.dialect import utc_period
from kindred.core.repository import Repository, WorkspaceRepository
from kindred.core.schemas import PageParams
from kindred.deals.errors import DealNotFound, PipelineNotFound
from kindred.deals.models import Deal, DealContact, DealStageChange, Pipeline, PipelineStage


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

    async def clear_default(self) -> None:
        for pipeline in await self.all(self.base().where(Pipeline.is_default.is_(True))):
            pipeline.is_default = False

    async def add_stage(self, stage: PipelineStage) -> None:
        stage.workspace_id = self.workspace_id
        self.session.add(stage)
        await self.session.flush()


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
                DealContact.deal_id.in_(list(deal_ids)),
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
        change.workspace_id = self.workspace_id
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
                select(func.count(), func.coalesce(func.sum(Deal.value), 0)).where(
                    Deal.workspace_id == self.workspace_id, Deal.is_open.is_(True)
                )
            )
        ).one()
        return int(row[0]), float(row[1])

    async def by_stage(self) -> list[tuple[str, int, float]]:
        """(stage key, deals, value) per stage, in pipeline order; one grouped scan."""
        totals = (
            select(Deal.stage_id, func.count().label("n"), func.sum(Deal.value).label("v"))
            .where(Deal.workspace_id == self.workspace_id)
            .group_by(Deal.stage_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(PipelineStage.key, totals.c.n, totals.c.v)
            .join(totals, totals.c.stage_id == PipelineStage.id)
            .join(Pipeline, Pipeline.id == PipelineStage.pipeline_id)
            .order_by(Pipeline.is_default.desc(), Pipeline.created_at, PipelineStage.position)
        )
        return [(key, int(n), float(v or 0)) for key, n, v in rows]

    async def forecast(self) -> list[tuple[str, int, float, float]]:
        """(month of expected close, open deals, value, value x probability) per month."""
        month = utc_period(self.session, Deal.expected_close_date, "month")
        rows = await self.session.execute(
            select(
                month,
                func.count(),
                func.sum(Deal.value),
                func.sum(Deal.value * Deal.probability / 100.0),
            )
            .where(
                Deal.workspace_id == self.workspace_id,
                Deal.is_open.is_(True),
                Deal.expected_close_date.is_not(None),
            )
            .group_by(month)
            .order_by(month)
        )
        return [(str(m), int(n), float(v or 0), float(w or 0)) for m, n, v, w in rows]

    async def funnel(self, start: datetime, end: datetime) -> dict[str, int]:
        """Distinct deals that entered each stage (by key) in [start, end).

        DISTINCT pairs first, then a count per stage: PostgreSQL hashes the pairs, where
        `count(DISTINCT deal_id)` sorts every row (spilling to disk at 60,000 rows).
        """
        entered = (
            select(DealStageChange.to_stage, DealStageChange.deal_id)
            .where(
                DealStageChange.workspace_id == self.workspace_id,
                DealStageChange.changed_at >= start,
                DealStageChange.changed_at < end,
            )
            .distinct()
            .subquery()
        )
        rows = await self.session.execute(
            select(entered.c.to_stage, func.count()).group_by(entered.c.to_stage)
        )
        return {stage: int(count) for stage, count in rows}


class DealStats(Repository[Deal]):
    """Cross-workspace counts for the platform admin's user list."""

    model = Deal

    async def count_by_owner(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        rows = await self.session.execute(
            select(Deal.owner_id, func.count())
            .where(Deal.owner_id.in_(user_ids))
            .group_by(Deal.owner_id)
        )
        return {owner: count for owner, count in rows if owner is not None}
