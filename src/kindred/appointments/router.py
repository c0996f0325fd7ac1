"""Native appointment routes (document 000) and the iCalendar subscription feed.

Calendar apps cannot send headers, so the feed (`/api/appointments.ics`) also accepts a
per-user feed token in the query string. That token is not an API key: it reads one user's
calendar and nothing else, is stored hashed, and asking for a new one revokes the old URL.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from kindred.appointments import service
from kindred.appointments.schemas import (
    AppointmentCreate,
    AppointmentFields,
    AppointmentList,
    AppointmentRead,
    FeedToken,
)
from kindred.core.auth import require
from kindred.core.dates import check_order, parse_bound
from kindred.core.db.session import DbSession
from kindred.core.deps import Authenticated, PipelineRead, PipelineWrite
from kindred.core.errors import Forbidden
from kindred.core.permissions import Permission
from kindred.core.schemas import SuccessResponse

router = APIRouter(tags=["appointments"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Appointment not found"}}
CALENDAR_TYPE = "text/calendar; charset=utf-8"


async def feed_identity(
    request: Request,
    session: DbSession,
    token: Annotated[str | None, Query(max_length=200, description="Calendar feed token")] = None,
) -> tuple[uuid.UUID, uuid.UUID]:
    """(workspace, user) from a feed token, else from the usual credentials."""
    if token:
        return await service.feed_owner(session, token)
    principal = await require(Permission.PIPELINE_READ)(request, session)
    return principal.workspace, principal.user.id


@router.get(
    "/api/appointments",
    response_model=AppointmentList,
    summary="Appointments overlapping a date range, with their contacts",
)
async def list_appointments(
    principal: PipelineRead,
    session: DbSession,
    start_date: Annotated[str | None, Query(alias="startDate", max_length=40)] = None,
    end_date: Annotated[str | None, Query(alias="endDate", max_length=40)] = None,
    owner_id: Annotated[uuid.UUID | None, Query(alias="ownerId")] = None,
) -> dict[str, Any]:
    start = parse_bound(start_date, "startDate")
    end = parse_bound(end_date, "endDate", end=True)
    check_order(start, end)
    rows = await service.list_appointments(session, principal.workspace, start, end, owner_id)
    return {"appointments": rows, "total": len(rows)}


@router.post(
    "/api/appointments",
    response_model=AppointmentRead,
    status_code=201,
    summary="Book an appointment",
    responses={409: {"description": "Overlaps another appointment of the owner"}},
)
async def create_appointment(
    body: AppointmentCreate, principal: PipelineWrite, session: DbSession
) -> Any:
    fields = body.model_dump(by_alias=False, exclude_unset=True)
    return await service.create_appointment(session, principal.workspace, principal.user.id, fields)


@router.get(
    "/api/appointments.ics",
    summary="The caller's appointments as an iCalendar (RFC 5545) feed",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def calendar_feed(
    identity: Annotated[tuple[uuid.UUID, uuid.UUID], Depends(feed_identity)], session: DbSession
) -> Response:
    workspace_id, user_id = identity
    body = await service.calendar_feed(session, workspace_id, user_id)
    return Response(body, media_type=CALENDAR_TYPE)


@router.post(
    "/api/appointments/feed-token",
    response_model=FeedToken,
    summary="A new calendar subscription URL for the caller (revokes the previous one)",
)
async def feed_token(request: Request, principal: Authenticated, session: DbSession) -> Any:
    """Any role may subscribe to its own calendar: viewers included, so no write permission."""
    if not principal.can(Permission.PIPELINE_READ):
        raise Forbidden("You do not have permission to do this")
    token = await service.new_feed_token(session, principal.workspace, principal.user.id)
    url = request.url_for("calendar_feed").include_query_params(token=token)
    return FeedToken(url=str(url), token=token)


@router.get(
    "/api/appointments/{appointment_id}",
    response_model=AppointmentRead,
    summary="Get an appointment",
    responses=NOT_FOUND,
)
async def get_appointment(
    appointment_id: uuid.UUID, principal: PipelineRead, session: DbSession
) -> Any:
    return await service.get_appointment(session, principal.workspace, appointment_id)


@router.patch(
    "/api/appointments/{appointment_id}",
    response_model=AppointmentRead,
    summary="Update, reschedule or cancel an appointment",
    responses=NOT_FOUND | {409: {"description": "Overlaps another appointment of the owner"}},
)
async def update_appointment(
    appointment_id: uuid.UUID,
    body: AppointmentFields,
    principal: PipelineWrite,
    session: DbSession,
) -> Any:
    changes = body.model_dump(by_alias=False, exclude_unset=True)
    return await service.update_appointment(session, principal.workspace, appointment_id, changes)


@router.delete(
    "/api/appointments/{appointment_id}",
    response_model=SuccessResponse,
    summary="Delete an appointment",
    responses=NOT_FOUND,
)
async def delete_appointment(
    appointment_id: uuid.UUID, principal: PipelineWrite, session: DbSession
) -> Any:
    await service.delete_appointment(session, principal.workspace, appointment_id)
    return SuccessResponse(message="Appointment deleted")
