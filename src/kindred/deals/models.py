"""Pipelines, their ordered stages, deals, deal contacts and the stage history.

A stage has a stable `key` (LEAD, QUALIFIED, …: what the API calls `stage`), a display name,
a default probability and a kind (open, won, lost: won and lost close the deal). History rows
keep the stage keys as text, so renaming or deleting a stage never rewrites the past.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin, utcnow
from kindred.core.db.rollup import RollupMixin, rollup_indexes

MONEY = Numeric(14, 2, asdecimal=False)
# Whole cents: exact sums on both databases (SQLite would add and subtract floats).
CENTS = Numeric(38, 0)


class Pipeline(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "pipelines"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    __audited__ = True

    name: Mapped[str] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(default=False)
    stages: Mapped[list[PipelineStage]] = relationship(
        lazy="raise", order_by="PipelineStage.position", viewonly=True
    )


class PipelineStage(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "pipeline_stages"
    __table_args__ = (UniqueConstraint("workspace_id", "pipeline_id", "key"),)

    pipeline_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    probability: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10), default="open")


class Deal(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "deals"
    __table_args__ = (
        Index(None, "workspace_id", "stage_id", postgresql_include=["value"]),
        Index(None, "workspace_id", "created_at"),
        Index(None, "workspace_id", "owner_id"),
        Index(None, "workspace_id", "expected_close_date"),
    )
    __audited__ = True

    title: Mapped[str] = mapped_column(String(300))
    value: Mapped[float] = mapped_column(MONEY, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    pipeline_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pipelines.id", ondelete="RESTRICT"))
    stage_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pipeline_stages.id", ondelete="RESTRICT")
    )
    probability: Mapped[int] = mapped_column(default=0)
    is_open: Mapped[bool] = mapped_column(default=True)
    expected_close_date: Mapped[datetime | None] = mapped_column(default=None)
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), default=None
    )
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    lost_reason: Mapped[str | None] = mapped_column(Text, default=None)

    stage: Mapped[PipelineStage] = relationship(lazy="raise", viewonly=True)


class DealContact(Base):
    __tablename__ = "deal_contacts"
    __table_args__ = (Index(None, "workspace_id", "contact_id"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    deal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )


class DealStageChange(IdMixin, WorkspaceMixin, Base):
    """One stage move (the first row, with no `from_stage`, is the deal's creation)."""

    __tablename__ = "deal_stage_changes"
    __table_args__ = (
        Index(None, "workspace_id", "deal_id", "changed_at"),
        Index(None, "workspace_id", "changed_at", "to_stage"),
        # The overview's stage funnel, index-only (migration 0013).
        Index(
            "ix_deal_stage_changes_funnel",
            "workspace_id",
            "changed_at",
            postgresql_include=["to_stage", "previous_entry_at"],
        ).ddl_if(dialect="postgresql"),
    )

    deal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    pipeline_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(60), default=None)
    to_stage: Mapped[str] = mapped_column(String(60))
    probability: Mapped[int] = mapped_column(default=0)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the deal last entered `to_stage` before this row (None: the first time), so that
    # the funnel counts the deals entering a stage in a window without de-duplicating them.
    previous_entry_at: Mapped[datetime | None] = mapped_column(default=None)


class DealTotal(RollupMixin, WorkspaceMixin, Base):
    """Deals, their value and value x probability per stage, open or not, and month of
    expected close: a rollup (`kindred.core.db.rollup`) kept by the triggers on `deals` that
    migration 0013 creates, for the dashboard's deal figures."""

    __tablename__ = "deal_totals"
    __table_args__ = rollup_indexes("deal_totals", "stage_id", "is_open", "close_month")

    stage_id: Mapped[uuid.UUID]
    is_open: Mapped[bool]
    # `YYYY-MM` (UTC) of the expected close date; '' for none (a key column: never NULL).
    close_month: Mapped[str] = mapped_column(String(7))
    deals: Mapped[int] = mapped_column(BigInteger)
    value_cents: Mapped[Decimal] = mapped_column(CENTS)
    weighted_cents: Mapped[Decimal] = mapped_column(CENTS)  # value_cents x probability (%)
