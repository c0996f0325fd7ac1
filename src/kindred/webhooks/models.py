"""Webhook endpoints, one delivery per (endpoint, event sent), and each attempt's record."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin, utcnow
from kindred.core.secrets import EncryptedString


class WebhookEndpoint(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "webhook_endpoints"
    __audited__ = True
    __audit_ignore__ = frozenset({"failing_since"})

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500), default=None)
    events: Mapped[list[Any]] = mapped_column(default=list)
    filter: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    enabled: Mapped[bool] = mapped_column(default=True)
    secret: Mapped[str] = mapped_column(EncryptedString())
    # After a rotation the previous secret still signs (a second signature) until it expires.
    previous_secret: Mapped[str | None] = mapped_column(EncryptedString(), default=None)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    failing_since: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_reason: Mapped[str | None] = mapped_column(String(500), default=None)


class DeliveryStatus:
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookDelivery(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    """One event to send to one endpoint; `body` is the exact JSON sent on every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "endpoint_id", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_order", "endpoint_id", "contact_id", "status"),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    # The `webhook-id` receivers deduplicate on: the event's id, the same on every attempt.
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(100))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    replay_of: Mapped[uuid.UUID | None] = mapped_column(default=None)


class WebhookAttempt(IdMixin, WorkspaceMixin, Base):
    __tablename__ = "webhook_attempts"

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    request_headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    response_status: Mapped[int | None] = mapped_column(default=None)
    response_body: Mapped[str | None] = mapped_column(Text, default=None)
    duration_ms: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
