"""Segment routes (document 002): bare arrays, admin-only writes, member reads."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from kindred.contacts.schemas import ContactList
from kindred.core.db.session import DbSession
from kindred.core.deps import ContactsAdmin, ContactsRead
from kindred.core.schemas import PageMeta, Paging, SuccessResponse
from kindred.segments import service
from kindred.segments.schemas import (
    PreviewInput,
    PreviewResult,
    SegmentCreate,
    SegmentRead,
    SegmentUpdate,
)

router = APIRouter(tags=["segments"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Segment not found"}}
INVALID: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid filter; details name each offending condition by its path"}
}
CROSS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Cross-workspace segments are for platform admins"}
}


@router.get("/api/segments", response_model=list[SegmentRead], summary="List segments")
async def list_segments(principal: ContactsRead, session: DbSession) -> Any:
    return await service.list_segments(session, principal.workspace)


@router.post(
    "/api/segments",
    response_model=SegmentRead,
    status_code=201,
    summary="Create a segment",
    responses=INVALID | CROSS,
)
async def create_segment(body: SegmentCreate, principal: ContactsAdmin, session: DbSession) -> Any:
    return await service.create_segment(session, principal, body)


@router.post(
    "/api/segments/preview",
    response_model=PreviewResult,
    summary="Count the contacts a filter matches and show the newest 50",
    responses=INVALID,
)
async def preview(body: PreviewInput, principal: ContactsRead, session: DbSession) -> Any:
    return await service.preview(session, principal.workspace, body.filter.model_dump())


@router.get(
    "/api/segments/{segment_id}",
    response_model=SegmentRead,
    summary="Get a segment",
    responses=NOT_FOUND,
)
async def get_segment(segment_id: uuid.UUID, principal: ContactsRead, session: DbSession) -> Any:
    return await service.get_segment(session, principal.workspace, segment_id)


@router.put(
    "/api/segments/{segment_id}",
    response_model=SegmentRead,
    summary="Update a segment",
    responses=NOT_FOUND | INVALID | CROSS,
)
async def update_segment(
    segment_id: uuid.UUID, body: SegmentUpdate, principal: ContactsAdmin, session: DbSession
) -> Any:
    return await service.update_segment(session, principal, segment_id, body)


@router.delete(
    "/api/segments/{segment_id}",
    response_model=SuccessResponse,
    summary="Delete a segment",
    responses=NOT_FOUND | {409: {"description": "A campaign yet to start sends to it"}},
)
async def delete_segment(
    segment_id: uuid.UUID, principal: ContactsAdmin, session: DbSession
) -> Any:
    await service.delete_segment(session, principal.workspace, segment_id)
    return SuccessResponse(message="Segment deleted")


@router.get(
    "/api/segments/{segment_id}/contacts",
    response_model=ContactList,
    summary="The segment's contacts, paginated",
    responses=NOT_FOUND | CROSS,
)
async def segment_contacts(
    segment_id: uuid.UUID, principal: ContactsRead, session: DbSession, paging: Paging
) -> dict[str, Any]:
    rows, total = await service.segment_contacts(session, principal, segment_id, paging)
    return {"contacts": rows, **PageMeta.of(paging, total)}
