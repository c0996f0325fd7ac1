"""Native contacts routes (documents 000, 001 and 002). Static paths such as
`/api/contacts/tags` are declared before `/api/contacts/{contact_id}`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from kindred.contacts import export, importer, interactions, service, tags
from kindred.contacts.catalog_router import router as catalog_router
from kindred.contacts.crm import sync_from_request
from kindred.contacts.errors import InvalidImport
from kindred.contacts.schemas import (
    ContactDetail,
    ContactFields,
    ContactList,
    ContactRead,
    ContactTagInput,
    DeleteResult,
    ImportInput,
    ImportJobRead,
    ImportQueued,
    ImportResult,
    InteractionCreate,
    InteractionList,
    InteractionRead,
    TagRead,
)
from kindred.core.db.session import DbSession, get_database
from kindred.core.deps import ContactsAdmin, ContactsRead, ContactsWrite
from kindred.core.errors import ValidationFailed
from kindred.core.exports import csv_response
from kindred.core.requests import json_or_form
from kindred.core.schemas import PageMeta, Paging
from kindred.messaging import service as messaging

router = APIRouter(tags=["contacts"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Contact not found"}}


def contact_filter(
    search: Annotated[str | None, Query(max_length=200)] = None,
    tags: Annotated[
        str | None, Query(description="Comma-separated tag names (all must match)")
    ] = None,
    company_id: Annotated[uuid.UUID | None, Query(alias="companyId")] = None,
    sort: Annotated[str | None, Query(max_length=40)] = None,
    order: Annotated[str | None, Query(max_length=4)] = None,
    filter: Annotated[
        str | None,
        Query(max_length=20_000, description="A segments filter as JSON (match + conditions)"),
    ] = None,
) -> service.ContactFilter:
    names = [name.strip() for name in (tags or "").split(",") if name.strip()]
    service.sorting(sort, order)  # refused here, before an export starts streaming
    return service.ContactFilter(
        search=search, tags=names, company_id=company_id, sort=sort, order=order, filter=filter
    )


Filter = Annotated[service.ContactFilter, Depends(contact_filter)]


@router.get("/api/contacts", response_model=ContactList, summary="List and search contacts")
async def list_contacts(
    principal: ContactsRead, session: DbSession, paging: Paging, spec: Filter
) -> dict[str, Any]:
    rows, total = await service.list_contacts(session, principal.workspace, spec, paging)
    return {"contacts": rows, **PageMeta.of(paging, total)}


@router.post(
    "/api/contacts",
    response_model=ContactRead,
    status_code=201,
    summary="Create a contact",
    responses={409: {"description": "Duplicate email or CRM id"}},
)
async def create_contact(body: ContactFields, principal: ContactsWrite, session: DbSession) -> Any:
    fields = body.model_dump(exclude_unset=True, by_alias=False)
    return await service.create_contact(
        session,
        principal.workspace,
        principal.user.id,
        fields,
        source=fields.pop("source", None) or "manual",
    )


@router.get("/api/contacts/tags", summary="Tags of several contacts (ids=uuid1,uuid2)")
async def tags_of_contacts(
    principal: ContactsRead, session: DbSession, ids: Annotated[str, Query(max_length=20_000)] = ""
) -> dict[str, list[TagRead]]:
    try:
        contact_ids = [uuid.UUID(part.strip()) for part in ids.split(",") if part.strip()]
    except ValueError as error:
        raise ValidationFailed(details=[{"field": "ids", "message": "Invalid id"}]) from error
    found = await tags.tags_of_contacts(session, principal.workspace, contact_ids)
    return {str(cid): [TagRead.model_validate(tag) for tag in rows] for cid, rows in found.items()}


@router.get("/api/contacts/export", summary="Export the filtered contacts as CSV")
async def export_contacts(
    request: Request, principal: ContactsRead, session: DbSession, spec: Filter
) -> StreamingResponse:
    # A bad filter must be a 400 now: once streaming starts, the status is already sent.
    await service.check_filter(session, principal.workspace, spec)
    rows = export.contact_rows(get_database(request), principal.workspace, spec)
    return csv_response("contacts.csv", export.HEADER, rows)


@router.get(
    "/api/contacts/crm/lookup",
    response_model=ContactRead,
    summary="Find a contact by CRM id and source",
    responses=NOT_FOUND,
)
async def crm_lookup(
    principal: ContactsRead,
    session: DbSession,
    crm_id: Annotated[str, Query(min_length=1, max_length=200)],
    crm_source: Annotated[str, Query(min_length=1, max_length=100)],
) -> Any:
    return await service.lookup_crm(session, principal.workspace, crm_id, crm_source)


@router.post("/api/webhook/crm", summary="Create or update a contact from a CRM")
async def crm_webhook(
    request: Request, principal: ContactsWrite, session: DbSession
) -> dict[str, Any]:
    contact, message = await sync_from_request(request, session, principal)
    return {
        "message": message,
        "contact": ContactRead.model_validate(contact).model_dump(mode="json"),
    }


@router.post(
    "/api/contacts/import",
    summary="Import contacts from a CSV file or JSON rows",
    responses={200: {"model": ImportResult}, 202: {"model": ImportQueued}},
)
async def import_contacts(request: Request, principal: ContactsWrite, session: DbSession) -> Any:
    rows, options = await _import_input(request)
    if len(rows) > importer.BACKGROUND_ABOVE:
        job = await importer.start_import(
            session, principal.workspace, principal.user.id, rows, options
        )
        queued = ImportQueued(job_id=job.id, status=job.status, total=job.total)
        return JSONResponse(queued.model_dump(mode="json"), status_code=202)
    result = await importer.import_rows(
        session, principal.workspace, principal.user.id, rows, options
    )
    return ImportResult.model_validate(result)


async def _import_input(request: Request) -> tuple[list[dict[str, Any]], importer.ImportOptions]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidImport("A CSV file is required in the `file` field")
        tag_all = str(form.get("tagAll") or form.get("tag_all") or "")
        skip = str(form.get("skipDuplicates") or "").lower() in ("true", "1", "yes")
        options = importer.ImportOptions(
            skip_duplicates=skip, tag_all=tuple(t.strip() for t in tag_all.split(",") if t.strip())
        )
        return importer.read_csv(await upload.read()), options
    body = await json_or_form(request, ImportInput)
    options = importer.ImportOptions(
        mapping=body.mapping,
        constant_values=body.constant_values,
        skip_duplicates=body.skip_duplicates,
    )
    return body.rows, options


@router.get(
    "/api/contacts/import/{job_id}",
    response_model=ImportJobRead,
    summary="Progress of a background import",
    responses={404: {"description": "Import job not found"}},
)
async def import_progress(job_id: uuid.UUID, principal: ContactsRead, session: DbSession) -> Any:
    job = await importer.get_import_job(session, principal.workspace, job_id)
    return {**job.__dict__, "job_id": job.id, "result": job.result or None}


@router.get(
    "/api/contacts/{contact_id}",
    response_model=ContactDetail,
    summary="Get a contact with its recent timeline",
    responses=NOT_FOUND,
)
async def get_contact(contact_id: uuid.UUID, principal: ContactsRead, session: DbSession) -> Any:
    contact, notes = await service.get_contact_detail(session, principal.workspace, contact_id)
    read = ContactRead.model_validate(contact).model_dump()
    messages = await messaging.contact_messages(session, principal.workspace, contact_id)
    return {**read, "messages": messages, "appointments": [], "notes": notes}


async def _update(
    contact_id: uuid.UUID, body: ContactFields, principal: ContactsWrite, session: DbSession
) -> Any:
    return await service.update_contact(
        session,
        principal.workspace,
        contact_id,
        body.model_dump(exclude_unset=True, by_alias=False),
    )


router.put(
    "/api/contacts/{contact_id}",
    response_model=ContactRead,
    summary="Update a contact (partial)",
    responses=NOT_FOUND,
)(_update)
router.patch(
    "/api/contacts/{contact_id}",
    response_model=ContactRead,
    summary="Update some fields of a contact",
    responses=NOT_FOUND,
)(_update)


@router.delete(
    "/api/contacts/{contact_id}",
    response_model=DeleteResult,
    summary="Delete a contact (workspace admins)",
    responses=NOT_FOUND,
)
async def delete_contact(
    contact_id: uuid.UUID, principal: ContactsAdmin, session: DbSession
) -> DeleteResult:
    await service.delete_contact(session, principal.workspace, contact_id)
    return DeleteResult(message="Contact deleted")


@router.get(
    "/api/contacts/{contact_id}/interactions",
    response_model=InteractionList,
    summary="A contact's timeline",
    responses=NOT_FOUND,
)
async def list_interactions(
    contact_id: uuid.UUID, principal: ContactsRead, session: DbSession, paging: Paging
) -> dict[str, Any]:
    rows, total = await interactions.list_interactions(
        session, principal.workspace, contact_id, paging
    )
    return {"interactions": rows, **PageMeta.of(paging, total)}


@router.post(
    "/api/contacts/{contact_id}/interactions",
    response_model=InteractionRead,
    status_code=201,
    summary="Add to a contact's timeline",
    responses=NOT_FOUND,
)
async def create_interaction(
    contact_id: uuid.UUID, body: InteractionCreate, principal: ContactsWrite, session: DbSession
) -> Any:
    return await interactions.record_interaction(
        session,
        principal.workspace,
        contact_id,
        type=body.type,
        subject=body.subject,
        body=body.body,
        occurred_at=body.occurred_at,
        metadata=body.metadata,
        user_id=principal.user.id,
    )


@router.get(
    "/api/contacts/{contact_id}/tags",
    response_model=list[TagRead],
    summary="A contact's tags",
    responses=NOT_FOUND,
)
async def contact_tags(contact_id: uuid.UUID, principal: ContactsRead, session: DbSession) -> Any:
    return await tags.tags_of_contact(session, principal.workspace, contact_id)


@router.post(
    "/api/contacts/{contact_id}/tags",
    response_model=list[TagRead],
    summary="Tag a contact",
    responses=NOT_FOUND,
)
async def add_contact_tag(
    contact_id: uuid.UUID, body: ContactTagInput, principal: ContactsWrite, session: DbSession
) -> Any:
    return await tags.add_contact_tag(session, principal.workspace, contact_id, body.tag_id)


@router.delete(
    "/api/contacts/{contact_id}/tags",
    response_model=list[TagRead],
    summary="Untag a contact",
    responses=NOT_FOUND,
)
async def remove_contact_tag(
    contact_id: uuid.UUID,
    principal: ContactsWrite,
    session: DbSession,
    body: ContactTagInput | None = None,
) -> Any:
    if body is None:
        await tags.tags_of_contact(session, principal.workspace, contact_id)
        raise ValidationFailed(details=[{"field": "tagId", "message": "Field required"}])
    return await tags.remove_contact_tag(session, principal.workspace, contact_id, body.tag_id)


router.include_router(catalog_router)
