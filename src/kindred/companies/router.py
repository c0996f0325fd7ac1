"""Native company routes: CRUD and a company's contacts."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from kindred.companies import service
from kindred.companies.schemas import CompanyCreate, CompanyFields, CompanyList, CompanyRead
from kindred.contacts import service as contacts
from kindred.contacts.schemas import ContactList
from kindred.core.db.session import DbSession
from kindred.core.deps import ContactsRead, ContactsWrite
from kindred.core.schemas import PageMeta, Paging, SuccessResponse

router = APIRouter(prefix="/api/companies", tags=["companies"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Company not found"}}


@router.get("", response_model=CompanyList, summary="List companies")
async def list_companies(principal: ContactsRead, session: DbSession, paging: Paging) -> Any:
    rows, total = await service.list_companies(session, principal.workspace, paging)
    return {"companies": rows, **PageMeta.of(paging, total)}


@router.post("", response_model=CompanyRead, status_code=201, summary="Create a company")
async def create_company(body: CompanyCreate, principal: ContactsWrite, session: DbSession) -> Any:
    return await service.create_company(
        session,
        principal.workspace,
        principal.user.id,
        body.model_dump(exclude_unset=True, by_alias=False),
    )


@router.get(
    "/{company_id}", response_model=CompanyRead, summary="Get a company", responses=NOT_FOUND
)
async def get_company(company_id: uuid.UUID, principal: ContactsRead, session: DbSession) -> Any:
    return await service.get_company(session, principal.workspace, company_id)


@router.put(
    "/{company_id}",
    response_model=CompanyRead,
    summary="Update a company (partial)",
    responses=NOT_FOUND,
)
async def update_company(
    company_id: uuid.UUID, body: CompanyFields, principal: ContactsWrite, session: DbSession
) -> Any:
    return await service.update_company(
        session,
        principal.workspace,
        company_id,
        body.model_dump(exclude_unset=True, by_alias=False),
    )


@router.delete(
    "/{company_id}", response_model=SuccessResponse, summary="Delete a company", responses=NOT_FOUND
)
async def delete_company(
    company_id: uuid.UUID, principal: ContactsWrite, session: DbSession
) -> SuccessResponse:
    await service.delete_company(session, principal.workspace, company_id)
    return SuccessResponse(message="Company deleted")


@router.get(
    "/{company_id}/contacts",
    response_model=ContactList,
    summary="A company's contacts",
    responses=NOT_FOUND,
)
async def company_contacts(
    company_id: uuid.UUID, principal: ContactsRead, session: DbSession, paging: Paging
) -> Any:
    await service.get_company(session, principal.workspace, company_id)
    spec = contacts.ContactFilter(company_id=company_id)
    rows, total = await contacts.list_contacts(session, principal.workspace, spec, paging)
    return {"contacts": rows, **PageMeta.of(paging, total)}
