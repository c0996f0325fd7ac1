"""Pipelines and their stages; every workspace's default pipeline, created on first use.

The default pipeline is made lazily (the first deal or pipeline read of a workspace) so that
no other domain has to know about it; two first requests racing both end up with one, because
the pipeline name is unique per workspace and the loser re-reads inside a savepoint.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.deals.errors import DuplicatePipeline, PipelineInUse, UnknownStage
from kindred.deals.models import Pipeline, PipelineStage
from kindred.deals.repository import DealRepository, PipelineRepository

DEFAULT_PIPELINE = "Sales Pipeline"
# (key, display name, default probability, kind)
DEFAULT_STAGES = (
    ("LEAD", "Lead", 10, "open"),
    ("QUALIFIED", "Qualified", 25, "open"),
    ("PROPOSAL", "Proposal", 50, "open"),
    ("NEGOTIATION", "Negotiation", 75, "open"),
    ("CLOSED_WON", "Closed won", 100, "won"),
    ("CLOSED_LOST", "Closed lost", 0, "lost"),
)


def _stage_rows(stages: Sequence[dict[str, Any]]) -> list[PipelineStage]:
    return [
        PipelineStage(
            key=stage["key"].upper(),
            name=stage.get("name") or stage["key"].replace("_", " ").capitalize(),
            position=position,
            probability=stage.get("probability", 0),
            kind=stage.get("kind", "open"),
        )
        for position, stage in enumerate(stages)
    ]


async def default_pipeline(session: AsyncSession, workspace_id: uuid.UUID) -> Pipeline:
    repository = PipelineRepository(session, workspace_id)
    found = await repository.default()
    if found is not None:
        return found
    stages = [
        {"key": key, "name": name, "probability": probability, "kind": kind}
        for key, name, probability, kind in DEFAULT_STAGES
    ]
    await repository.create(Pipeline(name=DEFAULT_PIPELINE, is_default=True), _stage_rows(stages))
    created = await repository.default()
    assert created is not None  # created here, or by the concurrent request that won
    return created


async def list_pipelines(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Pipeline]:
    await default_pipeline(session, workspace_id)
    return await PipelineRepository(session, workspace_id).listed()


async def get_pipeline(
    session: AsyncSession, workspace_id: uuid.UUID, pipeline_id: uuid.UUID | None
) -> Pipeline:
    """The pipeline with its stages; None means the workspace's default."""
    if pipeline_id is None:
        return await default_pipeline(session, workspace_id)
    return await PipelineRepository(session, workspace_id).get_with_stages(pipeline_id)


def stage_named(pipeline: Pipeline, key: str) -> PipelineStage:
    for stage in pipeline.stages:
        if stage.key == key.upper():
            return stage
    raise UnknownStage(key)


async def create_pipeline(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, stages: Sequence[dict[str, Any]]
) -> Pipeline:
    await default_pipeline(session, workspace_id)
    repository = PipelineRepository(session, workspace_id)
    pipeline = Pipeline(name=name, is_default=False)
    if not await repository.create(pipeline, _stage_rows(stages)):
        raise DuplicatePipeline()
    return await repository.get_with_stages(pipeline.id)


async def update_pipeline(
    session: AsyncSession, workspace_id: uuid.UUID, pipeline_id: uuid.UUID, changes: dict[str, Any]
) -> Pipeline:
    repository = PipelineRepository(session, workspace_id)
    pipeline = await repository.get_or_404(pipeline_id)
    if changes.get("name") and changes["name"] != pipeline.name:
        if await repository.by_name(changes["name"]) is not None:
            raise DuplicatePipeline()
        pipeline.name = changes["name"]
    if changes.get("is_default"):
        await repository.make_default(pipeline)
    if not await repository.save(pipeline):
        raise DuplicatePipeline()
    return await repository.get_with_stages(pipeline.id)


async def add_stage(
    session: AsyncSession, workspace_id: uuid.UUID, pipeline_id: uuid.UUID, stage: dict[str, Any]
) -> Pipeline:
    """Appends a stage after the pipeline's last one."""
    repository = PipelineRepository(session, workspace_id)
    pipeline = await repository.get_with_stages(pipeline_id)
    taken = any(existing.key == stage["key"].upper() for existing in pipeline.stages)
    row = _stage_rows([stage])[0]
    row.pipeline_id, row.position = pipeline.id, len(pipeline.stages)
    if taken or not await repository.add_stage(row):
        raise DuplicatePipeline("A stage with this key already exists", code="DUPLICATE_STAGE")
    return await repository.get_with_stages(pipeline.id)


async def delete_pipeline(
    session: AsyncSession, workspace_id: uuid.UUID, pipeline_id: uuid.UUID
) -> None:
    repository = PipelineRepository(session, workspace_id)
    pipeline = await repository.get_or_404(pipeline_id)
    in_use = await DealRepository(session, workspace_id).count_in_pipeline(pipeline.id)
    if pipeline.is_default or in_use or not await repository.delete_unused(pipeline):
        raise PipelineInUse()
