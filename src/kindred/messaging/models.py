"""Conversations (a contact or a web visitor on one channel), their messages, the sandbox's
captured outbound messages, and each workspace's Twilio account."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin
from kindred.core.secrets import EncryptedString


class Channel(StrEnum):
    SMS = "SMS"
    EMAIL = "EMAIL"
    WHATSAPP = "WHATSAPP"
    CHAT = "CHAT"


class Direction(StrEnum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class MessageStatus(StrEnum):
    QUEUED = "QUEUED"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    READ = "READ"
    FAILED = "FAILED"
    BOUNCED = "BOUNCED"
    RECEIVED = "RECEIVED"


class ConversationStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    CLOSED = "closed"


class Conversation(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "conversations"
    __workspace_index__ = False
    __table_args__ = (
        Index(None, "workspace_id", "last_message_at"),
        Index(None, "workspace_id", "contact_id", "channel"),
        Index(None, "workspace_id", "company_id"),
    )
    __audited__ = True

    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), default=None
    )
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), default=None
    )
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.OPEN.value)
    assigned_to_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    tags: Mapped[list[Any]] = mapped_column(default=list)
    is_read: Mapped[bool] = mapped_column(default=True)
    unread_count: Mapped[int] = mapped_column(default=0)
    last_message_at: Mapped[datetime | None] = mapped_column(default=None)
    trust_uploads: Mapped[bool] = mapped_column(default=False)
    visitor_name: Mapped[str | None] = mapped_column(String(200), default=None)
    visitor_email: Mapped[str | None] = mapped_column(String(320), default=None)
    visitor_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(500), default=None)
    referrer_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    page_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    # sha256 of the web-chat visitor's conversation token (the token itself is never stored).
    visitor_token_digest: Mapped[str | None] = mapped_column(String(64), default=None)


class Message(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "messages"
    __workspace_index__ = False
    __table_args__ = (
        Index(
            None,
            "workspace_id",
            "conversation_id",
            "created_at",
            postgresql_where=text("conversation_id IS NOT NULL"),
            sqlite_where=text("conversation_id IS NOT NULL"),
        ),
        Index(None, "workspace_id", "contact_id", "created_at"),
        Index(None, "provider", "provider_message_id"),
    )
    __audited__ = True

    # None for a campaign's message: a campaign opens no conversation and moves none up the
    # inbox; the contact's conversation on the channel shows it
    # (`MessageRepository.of_conversation`).
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), default=None
    )
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), default=None
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # The campaign that sent it (no foreign key, as on sandbox captures: the message outlives
    # its campaign); with contact_id it names the campaign's recipient row.
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    direction: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(998), default=None)
    html: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16))
    to_address: Mapped[str | None] = mapped_column(String(320), default=None)
    from_address: Mapped[str | None] = mapped_column(String(320), default=None)
    # Extra outbound email headers (a campaign's List-Unsubscribe), handed to the provider.
    headers: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    provider: Mapped[str | None] = mapped_column(String(40), default=None)
    provider_message_id: Mapped[str | None] = mapped_column(String(255), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    read_at: Mapped[datetime | None] = mapped_column(default=None)


class SandboxMessage(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    """An outbound message the sandbox captured instead of sending, with its simulated events."""

    __tablename__ = "sandbox_messages"
    __workspace_index__ = False
    __table_args__ = (Index(None, "workspace_id", "created_at"),)

    # The message handed over. Not a foreign key: the capture stands in for a provider's own
    # log, which outlives the message (and a foreign key would cost a check per captured row
    # and, unindexed, a scan of the captures per deleted message).
    message_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    channel: Mapped[str] = mapped_column(String(16))
    to_address: Mapped[str] = mapped_column(String(320))
    from_address: Mapped[str | None] = mapped_column(String(320), default=None)
    subject: Mapped[str | None] = mapped_column(String(998), default=None)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text, default=None)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="sent")
    events: Mapped[list[Any]] = mapped_column(default=list)


class TwilioAccount(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    """A workspace's Twilio account (document 003's messaging service settings)."""

    __tablename__ = "twilio_accounts"
    __table_args__ = (UniqueConstraint("workspace_id"),)
    __audited__ = True

    account_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    auth_token: Mapped[str | None] = mapped_column(EncryptedString(), default=None)
    messaging_service_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    phone_number: Mapped[str | None] = mapped_column(String(32), default=None)
