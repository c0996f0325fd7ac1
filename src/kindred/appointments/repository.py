"""Every query on appointments and calendar feeds, scoped by workspace."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select

from kindred.appointments.errors import AppointmentNotFound
from kindred.appointments.models import BUSY_STATUSES, Appointment, CalendarFeed
from kindred.core.db.dialect import serialise_on
from kindred.core.repository import Repository, WorkspaceRepository

FEED_LIMIT = 5_000


class AppointmentRepository(WorkspaceRepository[Appointment]):
    model = Appointment
    not_found = AppointmentNotFound

    def overlapping(
        self, start: datetime | None, end: datetime | None, owner_id: uuid.UUID | None = None
    ) -> Select[Appointment]:
        """Appointments that share any moment with [start, end) (open ends unbounded)."""
        stmt = self.base()
        if end is not None:
            stmt = stmt.where(Appointment.start_time < end)
        if start is not None:
            stmt = stmt.where(Appointment.end_time > start)
        if owner_id is not None:
            stmt = stmt.where(Appointment.owner_id == owner_id)
        return stmt.order_by(Appointment.start_time, Appointment.id)

    async def conflict(
        self, owner_id: uuid.UUID, start: datetime, end: datetime, exclude: uuid.UUID | None
    ) -> Appointment | None:
        """An appointment of the owner's that holds a moment of [start, end). Bookings for one
        owner are serialised from here on, so two at once cannot both find the slot free."""
        await serialise_on(self.session, "appointments", self.workspace_id, owner_id)
        stmt = self.overlapping(start, end, owner_id).where(Appointment.status.in_(BUSY_STATUSES))
        if exclude is not None:
            stmt = stmt.where(Appointment.id != exclude)
        return await self.session.scalar(stmt.limit(1))

    async def for_feed(self, owner_id: uuid.UUID, since: datetime) -> Sequence[Appointment]:
        return await self.all(self.overlapping(since, None, owner_id).limit(FEED_LIMIT))

    async def count_starting(self, start: datetime, end: datetime) -> int:
        stmt = select(func.count()).where(
            Appointment.workspace_id == self.workspace_id,
            Appointment.start_time >= start,
            Appointment.start_time < end,
            Appointment.status.in_(BUSY_STATUSES),
        )
        return int(await self.session.scalar(stmt) or 0)


class CalendarFeedRepository(WorkspaceRepository[CalendarFeed]):
    model = CalendarFeed

    async def of_user(self, user_id: uuid.UUID) -> CalendarFeed | None:
        return await self.session.scalar(self.base().where(CalendarFeed.user_id == user_id))


class FeedTokenRepository(Repository[CalendarFeed]):
    """Resolves a feed token before any workspace is known (the token names it)."""

    model = CalendarFeed

    async def by_digest(self, digest: str) -> CalendarFeed | None:
        return await self.session.scalar(
            select(CalendarFeed).where(CalendarFeed.token_digest == digest)
        )
