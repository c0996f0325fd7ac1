"""Banned emails and phones, stored normalised so that any spelling matches."""

from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin


class Banned(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "banned_contacts"
    __table_args__ = (
        Index(None, "workspace_id", "email"),
        Index(None, "workspace_id", "phone"),
        Index(None, "workspace_id", "created_at"),
    )
    __audited__ = True

    email: Mapped[str | None] = mapped_column(String(320), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    message_got: Mapped[str | None] = mapped_column(Text, default=None)
    sentiment_score: Mapped[float | None] = mapped_column(default=None)
