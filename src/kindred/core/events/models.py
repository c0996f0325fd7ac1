"""The event outbox and the per-(event, consumer) ledger."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, WorkspaceMixin, utcnow


class DomainEvent(IdMixin, WorkspaceMixin, Base):
    """One change, as it was: ids are UUIDv7, so ordering by id is ordering by emission."""

    __tablename__ = "domain_events"
    __table_args__ = (
        Index("ix_domain_events_workspace_id_occurred_at", "workspace_id", "occurred_at"),
        Index("ix_domain_events_dispatched_at_retry_at", "dispatched_at", "retry_at"),
    )

    type: Mapped[str] = mapped_column(String(100))
    # No foreign key: a contact.deleted event outlives its contact.
    contact_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    # When a consumer failed: not before this time again. A claim holds it until locked_until.
    retry_at: Mapped[datetime | None] = mapped_column(default=None)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)


class ConsumerStatus:
    DONE = "done"
    RETRYING = "retrying"
    FAILED = "failed"


class EventConsumption(WorkspaceMixin, Base):
    """What one consumer did with one event; written in the consumer's own transaction."""

    __tablename__ = "domain_event_consumers"

    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("domain_events.id", ondelete="CASCADE"), primary_key=True
    )
    consumer: Mapped[str] = mapped_column(String(60), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
