"""Appointments: the calendar in a date range, booking with the overlap rule, updates, and
the owner's iCalendar feed.

Overlap: an owner's SCHEDULED or CONFIRMED appointments may not share a moment unless the
request says `allowOverlap`; back-to-back appointments (one ends when the next starts) are
fine. A feed token names one user in one workspace and can only read that user's calendar.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.analytics.registry import Window, overview_metrics
from kindred.appointments import ical
from kindred.appointments.errors import AppointmentOverlap, EndBeforeStart, InvalidFeedToken
from kindred.appointments.models import BUSY_STATUSES, Appointment, CalendarFeed
from kindred.appointments.repository import (
    AppointmentRepository,
    CalendarFeedRepository,
    FeedTokenRepository,
)
from kindred.appointments.schemas import AppointmentRead
from kindred.contacts import stats as contact_lookup
from kindred.contacts.models import Contact
from kindred.core.db import utcnow
from kindred.core.events import emit
from kindred.core.tokens import new_token, token_digest
from kindred.workspaces.members import require_member
from kindred.workspaces.service import find_membership

FEED_HISTORY = timedelta(days=90)
FEED_TOKEN_PREFIX = "kcf_"


@dataclass(frozen=True)
class AppointmentView:
    appointment: Appointment
    contact: Contact | None


async def _views(
    session: AsyncSession, workspace_id: uuid.UUID, rows: Sequence[Appointment]
) -> list[AppointmentView]:
    """One contacts query whatever the number of appointments."""
    ids = list({row.contact_id for row in rows if row.contact_id is not None})
    found = await contact_lookup.contacts_by_ids(session, workspace_id, ids)
    return [
        AppointmentView(row, found.get(row.contact_id) if row.contact_id else None) for row in rows
    ]


async def list_appointments(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    start: datetime | None,
    end: datetime | None,
    owner_id: uuid.UUID | None,
) -> list[AppointmentView]:
    repository = AppointmentRepository(session, workspace_id)
    rows = await repository.all(repository.overlapping(start, end, owner_id).limit(1_000))
    return await _views(session, workspace_id, rows)


async def get_appointment(
    session: AsyncSession, workspace_id: uuid.UUID, appointment_id: uuid.UUID
) -> AppointmentView:
    row = await AppointmentRepository(session, workspace_id).get_or_404(appointment_id)
    return (await _views(session, workspace_id, [row]))[0]


async def _check(
    session: AsyncSession, workspace_id: uuid.UUID, row: Appointment, allow_overlap: bool
) -> None:
    if row.end_time <= row.start_time:
        raise EndBeforeStart()
    if allow_overlap or row.owner_id is None or row.status not in ("SCHEDULED", "CONFIRMED"):
        return
    repository = AppointmentRepository(session, workspace_id)
    other = await repository.conflict(row.owner_id, row.start_time, row.end_time, row.id)
    if other is not None:
        raise AppointmentOverlap(conflictingId=str(other.id))


async def _check_references(
    session: AsyncSession, workspace_id: uuid.UUID, values: dict[str, Any]
) -> None:
    if values.get("contact_id") is not None:
        await contact_lookup.require_contacts(session, workspace_id, [values["contact_id"]])
    if values.get("owner_id") is not None:
        await require_member(session, workspace_id, values["owner_id"])


async def create_appointment(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID, fields: dict[str, Any]
) -> AppointmentView:
    values = dict(fields)
    allow_overlap = values.pop("allow_overlap", False)
    await _check_references(session, workspace_id, values)
    values["owner_id"] = values.get("owner_id") or user_id
    row = Appointment(**{name: value for name, value in values.items() if value is not None})
    row.workspace_id = workspace_id
    row.status = row.status or "SCHEDULED"
    await _check(session, workspace_id, row, allow_overlap)
    await AppointmentRepository(session, workspace_id).add(row)
    view = await get_appointment(session, workspace_id, row.id)
    if row.status in BUSY_STATUSES:  # booked: `appointment.scheduled`
        await emit(
            session,
            workspace_id=workspace_id,
            type="appointment.scheduled",
            data={"appointment": AppointmentRead.model_validate(view).model_dump(mode="json")},
            contact_id=row.contact_id,
        )
    return view


async def update_appointment(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    appointment_id: uuid.UUID,
    changes: dict[str, Any],
) -> AppointmentView:
    values = dict(changes)
    allow_overlap = values.pop("allow_overlap", False)
    repository = AppointmentRepository(session, workspace_id)
    row = await repository.get_or_404(appointment_id)
    await _check_references(session, workspace_id, values)
    for name, value in values.items():
        if value is not None or name in ("contact_id", "location", "notes"):
            setattr(row, name, value)
    await _check(session, workspace_id, row, allow_overlap)
    await session.flush()
    return await get_appointment(session, workspace_id, row.id)


async def delete_appointment(
    session: AsyncSession, workspace_id: uuid.UUID, appointment_id: uuid.UUID
) -> None:
    repository = AppointmentRepository(session, workspace_id)
    await repository.delete(await repository.get_or_404(appointment_id))


async def new_feed_token(session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """A new feed token for this user (the previous one stops working)."""
    token = new_token(FEED_TOKEN_PREFIX)
    repository = CalendarFeedRepository(session, workspace_id)
    feed = await repository.of_user(user_id)
    if feed is None:
        await repository.add(CalendarFeed(user_id=user_id, token_digest=token_digest(token)))
    else:
        feed.token_digest = token_digest(token)
        await session.flush()
    return token


async def feed_owner(session: AsyncSession, token: str) -> tuple[uuid.UUID, uuid.UUID]:
    """(workspace id, user id) of a feed token whose user is still a member; else 401."""
    feed = await FeedTokenRepository(session).by_digest(token_digest(token))
    if feed is None or await find_membership(session, feed.workspace_id, feed.user_id) is None:
        raise InvalidFeedToken()
    return feed.workspace_id, feed.user_id


async def calendar_feed(session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """The user's appointments from 90 days ago on, as an RFC 5545 calendar."""
    now = utcnow()
    rows = await AppointmentRepository(session, workspace_id).for_feed(user_id, now - FEED_HISTORY)
    events = [
        ical.Event(
            uid=f"{row.id}@kindred",
            start=row.start_time,
            end=row.end_time,
            summary=row.title,
            status=row.status,
            location=row.location,
            description=row.notes,
            last_modified=row.updated_at,
        )
        for row in rows
    ]
    return ical.render_calendar("Kindred appointments", events, now)


@overview_metrics
async def appointment_metrics(
    session: AsyncSession, workspace_id: uuid.UUID, window: Window
) -> dict[str, float]:
    repository = AppointmentRepository(session, workspace_id)
    return {"appointmentsScheduled": await repository.count_starting(window.start, window.end)}
