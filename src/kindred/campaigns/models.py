"""Campaigns and their recipients: one ledger row per (campaign, contact), frozen when the
send starts, claimed and finished in one transaction so that each contact gets one message."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin


class CampaignType(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    WHATSAPP = "WHATSAPP"


class CampaignStatus(StrEnum):
    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    SENDING = "SENDING"
    SENT = "SENT"
    PAUSED = "PAUSED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"


class RecipientStatus(StrEnum):
    PENDING = "PENDING"
    SENDING = "SENDING"  # claimed on SQLite by the transaction sending it; never committed
    SENT = "SENT"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


class Campaign(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        Index(None, "workspace_id", "created_at"),
        Index(None, "status", "scheduled_at"),
    )
    __audited__ = True

    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16), default=CampaignType.EMAIL.value)
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT.value)
    subject: Mapped[str | None] = mapped_column(String(998), default=None)
    body: Mapped[str] = mapped_column(Text, default="")
    from_name: Mapped[str | None] = mapped_column(String(200), default=None)
    from_email: Mapped[str | None] = mapped_column(String(320), default=None)
    segment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("segments.id", ondelete="SET NULL"), default=None
    )
    target_tags: Mapped[list[Any]] = mapped_column(default=list)
    target_tags_match: Mapped[str] = mapped_column(String(8), default="any")
    filter: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    category_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    scheduled_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    # When it last went to SENDING (started, resumed, sent again): names its lanes' run.
    sending_since: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Deleted after sending started: gone from the API, kept so that the links in emails
    # already delivered (unsubscribe above all) keep working.
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    # Why a FAILED campaign failed (its scheduled start, or a batch no retry could send).
    failure_reason: Mapped[str | None] = mapped_column(Text, default=None)
    allow_no_unsubscribe: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Counters, recomputed from the recipient rows (never incremented by hand).
    recipients_count: Mapped[int] = mapped_column(default=0)
    sent_count: Mapped[int] = mapped_column(default=0)
    failed_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    delivered_count: Mapped[int] = mapped_column(default=0)
    open_count: Mapped[int] = mapped_column(default=0)
    click_count: Mapped[int] = mapped_column(default=0)
    unsubscribe_count: Mapped[int] = mapped_column(default=0)


class CampaignRecipient(Base):
    """One contact of a campaign's frozen audience; (campaign, contact) is the send ledger key
    and `campaign_id:contact_id` the idempotency key of its one message."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (Index(None, "workspace_id", "contact_id"),)

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=RecipientStatus.PENDING.value)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    to_address: Mapped[str | None] = mapped_column(String(320), default=None)
    # The message sent (its own row names the campaign and contact back). Not a foreign key:
    # no column of this table but the keys is indexed, so that recording an outcome is a HOT
    # update on PostgreSQL (the table keeps free space per page, fillfactor 45).
    message_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    clicked_at: Mapped[datetime | None] = mapped_column(default=None)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(default=None)
