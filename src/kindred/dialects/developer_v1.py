"""Document 004's developer API under `/api/v1`: Bearer key, bare arrays, its field names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AliasChoices, Field

from kindred.companies import service as companies
from kindred.companies.schemas import CompanyRead
from kindred.contacts import service as contacts
from kindred.core.db.session import DbSession
from kindred.core.deps import ContactsRead
from kindred.core.schemas import MAX_PAGE_SIZE, ApiModel, PageParams

router = APIRouter(prefix="/api/v1", tags=["developer-v1"])
# Document 004 lists everything; the dialect returns up to this many rows, newest first.
LIST_LIMIT = 10 * MAX_PAGE_SIZE


class V1Contact(ApiModel):
    id: uuid.UUID
    company_id: uuid.UUID | None
    name: str
    email: str | None
    phone: str | None
    title: str | None
    role: str | None
    notes: str | None
    is_primary: bool
    user_id: uuid.UUID | None = Field(validation_alias=AliasChoices("owner_id", "user_id"))
    created_at: datetime
    updated_at: datetime


def _full_name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


@router.get("/companies", response_model=list[CompanyRead], summary="All companies")
async def list_companies(principal: ContactsRead, session: DbSession) -> Any:
    rows, _ = await companies.list_companies(session, principal.workspace)
    return rows


@router.get(
    "/contacts", response_model=list[V1Contact], summary="Contacts, optionally of one company"
)
async def list_contacts(
    principal: ContactsRead,
    session: DbSession,
    company_id: Annotated[uuid.UUID | None, Query(alias="companyId")] = None,
) -> Any:
    spec = contacts.ContactFilter(company_id=company_id)
    rows, _ = await contacts.list_contacts(
        session, principal.workspace, spec, PageParams(page=1, limit=LIST_LIMIT)
    )
    return [
        V1Contact.model_validate(
            {**row.__dict__, "name": _full_name(row.first_name, row.last_name)}
        )
        for row in rows
    ]
