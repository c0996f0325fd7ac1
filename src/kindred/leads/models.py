"""The leads table: businesses found (Google Places, imports, forms) and not yet customers.

`google_place_id` and the E.164 `phone` are unique per workspace (NULLs allowed): the two
keys leads are deduplicated by. A converted lead keeps the id of the contact it became.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin

LEAD_STATUSES = ("NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "LOST")
LEAD_SOURCES = ("manual", "google_places", "import", "api", "form")


class Lead(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("workspace_id", "google_place_id"),
        UniqueConstraint("workspace_id", "phone"),
        Index(None, "workspace_id", "created_at"),
        Index(None, "workspace_id", "status"),
        Index(None, "workspace_id", "owner_id"),
    )
    __audited__ = True

    business_name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(500), default=None)
    city: Mapped[str | None] = mapped_column(String(200), default=None)
    state: Mapped[str | None] = mapped_column(String(100), default=None)
    zip_code: Mapped[str | None] = mapped_column(String(20), default=None)
    country: Mapped[str | None] = mapped_column(String(100), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    website: Mapped[str | None] = mapped_column(String(2000), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    rating: Mapped[float | None] = mapped_column(Float, default=None)
    category: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[str] = mapped_column(String(20), default="NEW")
    google_place_id: Mapped[str | None] = mapped_column(String(300), default=None)
    source: Mapped[str] = mapped_column(String(30), default="manual")
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    converted_contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
    converted_at: Mapped[datetime | None] = mapped_column(default=None)
