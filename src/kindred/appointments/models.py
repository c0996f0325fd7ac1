"""Appointments, and the calendar feed tokens that let a calendar app subscribe.

A feed token is stored only as its sha256 digest (like API keys and sessions): one per user
and workspace, replaced when the user asks for a new one, which revokes the old URL.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin

APPOINTMENT_STATUSES = ("SCHEDULED", "CONFIRMED", "COMPLETED", "CANCELLED", "NO_SHOW")
# Statuses that hold a slot in the owner's calendar (the overlap rule ignores the others).
BUSY_STATUSES = ("SCHEDULED", "CONFIRMED")


class Appointment(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index(None, "workspace_id", "start_time"),
        Index(None, "workspace_id", "owner_id", "start_time"),
        Index(None, "workspace_id", "contact_id"),
    )
    __audited__ = True

    title: Mapped[str] = mapped_column(String(300))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime]
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
    location: Mapped[str | None] = mapped_column(String(500), default=None)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(20), default="SCHEDULED")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    reminders: Mapped[list[Any]] = mapped_column(default=list)


class CalendarFeed(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
