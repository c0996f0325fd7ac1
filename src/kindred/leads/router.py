"""Native leads routes (document 000). `/api/leads/import` is declared before `{lead_id}`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from kindred.core.db.session import DbSession
from kindred.core.deps import PipelineRead, PipelineWrite
from kindred.core.schemas import PageMeta, Paging, SuccessResponse
from kindred.leads import service
from kindred.leads.repository import LeadQuery
from kindred.leads.schemas import (
    LeadConvert,
    LeadConverted,
    LeadCreate,
    LeadFields,
    LeadImport,
    LeadImportResult,
    LeadList,
    LeadRead,
    LeadStatus,
)

router = APIRouter(tags=["leads"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Lead not found"}}
DUPLICATE: dict[int | str, dict[str, Any]] = {
    409: {"description": "A lead with this Google place id or phone exists"}
}


def lead_query(
    status: LeadStatus | None = None,
    category: Annotated[str | None, Query(max_length=200)] = None,
    city: Annotated[str | None, Query(max_length=200)] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
) -> LeadQuery:
    return LeadQuery(status=status, category=category, city=city, search=search)


@router.get("/api/leads", response_model=LeadList, summary="List and search leads")
async def list_leads(
    principal: PipelineRead,
    session: DbSession,
    paging: Paging,
    query: Annotated[LeadQuery, Depends(lead_query)],
) -> dict[str, Any]:
    rows, total = await service.list_leads(session, principal.workspace, query, paging)
    return {"leads": rows, **PageMeta.of(paging, total)}


@router.post(
    "/api/leads",
    response_model=LeadRead,
    status_code=201,
    summary="Create a lead",
    responses=DUPLICATE,
)
async def create_lead(body: LeadCreate, principal: PipelineWrite, session: DbSession) -> Any:
    return await service.create_lead(
        session,
        principal.workspace,
        principal.user.id,
        body.model_dump(by_alias=False, exclude_unset=True),
    )


@router.post(
    "/api/leads/import",
    response_model=LeadImportResult,
    summary="Import leads from JSON rows (duplicates skipped, bad rows reported)",
)
async def import_leads(body: LeadImport, principal: PipelineWrite, session: DbSession) -> Any:
    return await service.import_leads(
        session, principal.workspace, principal.user.id, body.leads, source=body.source
    )


@router.get(
    "/api/leads/{lead_id}", response_model=LeadRead, summary="Get a lead", responses=NOT_FOUND
)
async def get_lead(lead_id: uuid.UUID, principal: PipelineRead, session: DbSession) -> Any:
    return await service.get_lead(session, principal.workspace, lead_id)


@router.patch(
    "/api/leads/{lead_id}",
    response_model=LeadRead,
    summary="Update a lead",
    responses=NOT_FOUND | DUPLICATE,
)
async def update_lead(
    lead_id: uuid.UUID, body: LeadFields, principal: PipelineWrite, session: DbSession
) -> Any:
    changes = body.model_dump(by_alias=False, exclude_unset=True)
    return await service.update_lead(session, principal.workspace, lead_id, changes)


@router.delete(
    "/api/leads/{lead_id}",
    response_model=SuccessResponse,
    summary="Delete a lead",
    responses=NOT_FOUND,
)
async def delete_lead(lead_id: uuid.UUID, principal: PipelineWrite, session: DbSession) -> Any:
    await service.delete_lead(session, principal.workspace, lead_id)
    return SuccessResponse(message="Lead deleted")


@router.post(
    "/api/leads/{lead_id}/convert",
    response_model=LeadConverted,
    summary="Convert a lead into a contact and a linked company",
    responses=NOT_FOUND | {409: {"description": "Already converted (body carries contactId)"}},
)
async def convert_lead(
    lead_id: uuid.UUID,
    principal: PipelineWrite,
    session: DbSession,
    body: LeadConvert | None = None,
) -> Any:
    convert = body or LeadConvert()
    contact_id, company_id = await service.convert_lead(
        session,
        principal.workspace,
        principal.user.id,
        lead_id,
        convert.contact_data.model_dump(by_alias=False, exclude_unset=True),
        company_name=convert.company_name,
    )
    return LeadConverted(contact_id=contact_id, company_id=company_id)
