"""The companies table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin


class Company(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "companies"
    __table_args__ = (Index(None, "workspace_id", "name"),)
    __audited__ = True

    name: Mapped[str] = mapped_column(String(300))
    website: Mapped[str | None] = mapped_column(String(2000), default=None)
    industry: Mapped[str | None] = mapped_column(String(200), default=None)
    deal_value: Mapped[float | None] = mapped_column(Float, default=None)
    stage_id: Mapped[str | None] = mapped_column(String(100), default=None)
    position: Mapped[int] = mapped_column(default=0)
    logo_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    last_contact: Mapped[datetime | None] = mapped_column(default=None)
    is_customer: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
