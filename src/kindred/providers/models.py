"""The inbound event ledger and the receiving addresses and accounts of each workspace."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin, utcnow


class InboundEvent(IdMixin, Base):
    """One delivery of a provider's event, by the provider's own event or message id.

    The unique key makes recording it the deduplication: a replayed delivery finds its row.
    """

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(255))
    workspace_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="SET NULL"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload_hash: Mapped[str] = mapped_column(String(64))


class BindingKind(StrEnum):
    ADDRESS = "address"  # a receiving phone number or email address: one workspace only
    ACCOUNT = "account"  # a provider account (Twilio AccountSid): may be shared


class ProviderBinding(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    """A receiving address or provider account a workspace uses, to route inbound webhooks."""

    __tablename__ = "provider_bindings"
    __table_args__ = (
        UniqueConstraint("workspace_id", "provider", "kind", "value"),
        Index("ix_provider_bindings_provider_kind_value", "provider", "kind", "value"),
        Index(
            "uq_provider_bindings_address",
            "provider",
            "value",
            unique=True,
            sqlite_where=text("kind = 'address'"),
            postgresql_where=text("kind = 'address'"),
        ),
    )

    provider: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320))
