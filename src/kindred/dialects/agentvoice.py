"""Document 001 under `/agentvoice/api`: snake_case contacts, bare arrays, its messages.

Authenticated by `x-api-key` + `x-organization-id` (resolved by core auth like any key).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import AliasChoices, Field

from kindred.contacts import service
from kindred.contacts.crm import sync_from_request
from kindred.contacts.errors import InvalidContactField
from kindred.core.db.session import DbSession
from kindred.core.deps import ContactsRead, ContactsWrite
from kindred.core.schemas import MAX_PAGE_SIZE, InputModel, PageParams, SnakeModel

router = APIRouter(prefix="/agentvoice/api", tags=["agentvoice"])
LIST_LIMIT = 10 * MAX_PAGE_SIZE
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Contact not found"}}


class AgentVoiceContact(SnakeModel):
    id: uuid.UUID
    user_id: uuid.UUID | None = Field(validation_alias=AliasChoices("owner_id", "user_id"))
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    company: str | None
    created_at: datetime
    updated_at: datetime
    last_task_run: datetime | None
    total_tasks_run: int
    organization_id: uuid.UUID = Field(validation_alias=AliasChoices("workspace_id"))
    crm_id: str | None
    crm_source: str | None


class AgentVoiceContactInput(InputModel):
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    company: str | None = Field(default=None, max_length=300)
    crm_id: str | None = Field(default=None, max_length=200)
    crm_source: str | None = Field(default=None, max_length=100)


def _out(contact: Any) -> dict[str, Any]:
    return AgentVoiceContact.model_validate(contact).model_dump(mode="json")


@router.get("/contacts", summary="All contacts of the organization (bare array)")
async def list_contacts(principal: ContactsRead, session: DbSession) -> list[dict[str, Any]]:
    rows, _ = await service.list_contacts(
        session, principal.workspace, service.ContactFilter(), PageParams(page=1, limit=LIST_LIMIT)
    )
    return [_out(row) for row in rows]


@router.get("/contacts/crm/lookup", summary="A contact by CRM id and source", responses=NOT_FOUND)
async def crm_lookup(
    principal: ContactsRead,
    session: DbSession,
    crm_id: Annotated[str, Query(min_length=1, max_length=200)],
    crm_source: Annotated[str, Query(min_length=1, max_length=100)],
) -> dict[str, Any]:
    return _out(await service.lookup_crm(session, principal.workspace, crm_id, crm_source))


@router.post("/contacts", status_code=201, summary="Create a contact")
async def create_contact(
    body: AgentVoiceContactInput, principal: ContactsWrite, session: DbSession
) -> dict[str, Any]:
    if not body.first_name and not (body.crm_id and body.crm_source):
        raise InvalidContactField(
            "first_name", "first_name is required unless crm_id and crm_source are provided"
        )
    contact = await service.create_contact(
        session,
        principal.workspace,
        principal.user.id,
        body.model_dump(exclude_unset=True, by_alias=False),
        source="api",
    )
    return _out(contact)


@router.get("/contacts/{contact_id}", summary="One contact", responses=NOT_FOUND)
async def get_contact(
    contact_id: uuid.UUID, principal: ContactsRead, session: DbSession
) -> dict[str, Any]:
    return _out(await service.get_contact(session, principal.workspace, contact_id))


@router.patch(
    "/contacts/{contact_id}", summary="Update some fields of a contact", responses=NOT_FOUND
)
async def update_contact(
    contact_id: uuid.UUID,
    body: AgentVoiceContactInput,
    principal: ContactsWrite,
    session: DbSession,
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, by_alias=False)
    return _out(await service.update_contact(session, principal.workspace, contact_id, changes))


@router.delete("/contacts/{contact_id}", summary="Delete a contact", responses=NOT_FOUND)
async def delete_contact(
    contact_id: uuid.UUID, principal: ContactsWrite, session: DbSession
) -> dict[str, str]:
    await service.delete_contact(session, principal.workspace, contact_id)
    return {"message": "Contact deleted successfully"}


@router.post("/webhook/crm", summary="Create or update a contact from a CRM")
async def crm_webhook(
    request: Request, principal: ContactsWrite, session: DbSession
) -> dict[str, Any]:
    contact, message = await sync_from_request(request, session, principal)
    return {"message": message, "contact": _out(contact)}
