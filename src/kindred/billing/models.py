"""Credit balances (one row per workspace), the ledger of every change, and the platform's
per-type weights (how many credits one EMAIL, SMS, VOICEMAIL or SKIPTRACE costs)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin

CREDITS = Numeric(14, 4)


class CreditAccount(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "credit_accounts"
    __table_args__ = (UniqueConstraint("workspace_id"),)

    balance: Mapped[Decimal] = mapped_column(CREDITS, default=0)


class CreditEntry(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    """One change of a balance: a grant (positive) or a charge (negative) and what for."""

    __tablename__ = "credit_entries"
    __table_args__ = (Index(None, "workspace_id", "created_at"),)

    amount: Mapped[Decimal] = mapped_column(CREDITS)
    credit_type: Mapped[str] = mapped_column(String(20))
    reference_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    description: Mapped[str | None] = mapped_column(String(200), default=None)


class CreditWeight(IdMixin, TimestampMixin, Base):
    __tablename__ = "credit_weights"
    __table_args__ = (UniqueConstraint("credit_type"),)

    credit_type: Mapped[str] = mapped_column(String(20))
    weight: Mapped[Decimal] = mapped_column(CREDITS)
