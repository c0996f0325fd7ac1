"""Native deal and pipeline routes (document 000's pipeline; admins manage `/api/pipelines`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kindred.core.db.session import DbSession
from kindred.core.deps import PipelineAdmin, PipelineRead, PipelineWrite
from kindred.core.schemas import PageMeta, Paging, SuccessResponse
from kindred.deals import pipelines, service
from kindred.deals.schemas import (
    STAGE_KEY,
    DealCreate,
    DealFields,
    DealList,
    DealRead,
    PipelineCreate,
    PipelineDetail,
    PipelineList,
    PipelineUpdate,
    StageHistory,
    StageInput,
    StageMove,
)

router = APIRouter(tags=["deals"])
DEAL_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Deal not found"}}
PIPELINE_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Pipeline not found"}}


@router.get("/api/deals", response_model=DealList, summary="List deals with their contacts")
async def list_deals(
    principal: PipelineRead,
    session: DbSession,
    paging: Paging,
    stage: Annotated[str | None, Query(pattern=STAGE_KEY)] = None,
    pipeline_id: Annotated[uuid.UUID | None, Query(alias="pipelineId")] = None,
) -> dict[str, Any]:
    deals, total = await service.list_deals(
        session, principal.workspace, stage, pipeline_id, paging
    )
    return {"deals": deals, **PageMeta.of(paging, total)}


@router.post(
    "/api/deals",
    response_model=DealRead,
    status_code=201,
    summary="Create a deal",
    responses={404: {"description": "A contact, company or pipeline is not in this workspace"}},
)
async def create_deal(body: DealCreate, principal: PipelineWrite, session: DbSession) -> Any:
    fields = body.model_dump(by_alias=False, exclude_unset=True)
    return await service.create_deal(session, principal.workspace, principal.user.id, fields)


@router.get(
    "/api/deals/{deal_id}", response_model=DealRead, summary="Get a deal", responses=DEAL_NOT_FOUND
)
async def get_deal(deal_id: uuid.UUID, principal: PipelineRead, session: DbSession) -> Any:
    return await service.get_deal(session, principal.workspace, deal_id)


@router.patch(
    "/api/deals/{deal_id}",
    response_model=DealRead,
    summary="Update a deal",
    responses=DEAL_NOT_FOUND,
)
async def update_deal(
    deal_id: uuid.UUID, body: DealFields, principal: PipelineWrite, session: DbSession
) -> Any:
    changes = body.model_dump(by_alias=False, exclude_unset=True)
    return await service.update_deal(
        session, principal.workspace, principal.user.id, deal_id, changes
    )


@router.patch(
    "/api/deals/{deal_id}/stage",
    response_model=DealRead,
    summary="Move a deal to another stage",
    responses=DEAL_NOT_FOUND,
)
async def move_deal(
    deal_id: uuid.UUID, body: StageMove, principal: PipelineWrite, session: DbSession
) -> Any:
    return await service.move_stage(
        session,
        principal.workspace,
        principal.user.id,
        deal_id,
        body.stage,
        body.probability,
        body.lost_reason,
    )


@router.get(
    "/api/deals/{deal_id}/history",
    response_model=StageHistory,
    summary="A deal's stage moves (who, when, from, to)",
    responses=DEAL_NOT_FOUND,
)
async def deal_history(deal_id: uuid.UUID, principal: PipelineRead, session: DbSession) -> Any:
    return {"history": await service.stage_history(session, principal.workspace, deal_id)}


@router.delete(
    "/api/deals/{deal_id}",
    response_model=SuccessResponse,
    summary="Delete a deal",
    responses=DEAL_NOT_FOUND,
)
async def delete_deal(deal_id: uuid.UUID, principal: PipelineWrite, session: DbSession) -> Any:
    await service.delete_deal(session, principal.workspace, deal_id)
    return SuccessResponse(message="Deal deleted")


@router.get("/api/pipelines", response_model=PipelineList, summary="List pipelines and stages")
async def list_pipelines(principal: PipelineRead, session: DbSession) -> Any:
    return {"pipelines": await pipelines.list_pipelines(session, principal.workspace)}


@router.post(
    "/api/pipelines",
    response_model=PipelineDetail,
    status_code=201,
    summary="Create a pipeline with its stages",
    responses={409: {"description": "A pipeline with this name exists"}},
)
async def create_pipeline(
    body: PipelineCreate, principal: PipelineAdmin, session: DbSession
) -> Any:
    stages = [stage.model_dump(by_alias=False) for stage in body.stages]
    return await pipelines.create_pipeline(session, principal.workspace, body.name, stages)


@router.get(
    "/api/pipelines/{pipeline_id}",
    response_model=PipelineDetail,
    summary="Get a pipeline",
    responses=PIPELINE_NOT_FOUND,
)
async def get_pipeline(pipeline_id: uuid.UUID, principal: PipelineRead, session: DbSession) -> Any:
    return await pipelines.get_pipeline(session, principal.workspace, pipeline_id)


@router.patch(
    "/api/pipelines/{pipeline_id}",
    response_model=PipelineDetail,
    summary="Rename a pipeline or make it the default",
    responses=PIPELINE_NOT_FOUND,
)
async def update_pipeline(
    pipeline_id: uuid.UUID, body: PipelineUpdate, principal: PipelineAdmin, session: DbSession
) -> Any:
    changes = body.model_dump(by_alias=False, exclude_unset=True)
    return await pipelines.update_pipeline(session, principal.workspace, pipeline_id, changes)


@router.post(
    "/api/pipelines/{pipeline_id}/stages",
    response_model=PipelineDetail,
    status_code=201,
    summary="Append a stage to a pipeline",
    responses=PIPELINE_NOT_FOUND,
)
async def add_stage(
    pipeline_id: uuid.UUID, body: StageInput, principal: PipelineAdmin, session: DbSession
) -> Any:
    return await pipelines.add_stage(
        session, principal.workspace, pipeline_id, body.model_dump(by_alias=False)
    )


@router.delete(
    "/api/pipelines/{pipeline_id}",
    response_model=SuccessResponse,
    summary="Delete a pipeline without deals",
    responses=PIPELINE_NOT_FOUND | {409: {"description": "Default pipeline or has deals"}},
)
async def delete_pipeline(
    pipeline_id: uuid.UUID, principal: PipelineAdmin, session: DbSession
) -> Any:
    await pipelines.delete_pipeline(session, principal.workspace, pipeline_id)
    return SuccessResponse(message="Pipeline deleted")
