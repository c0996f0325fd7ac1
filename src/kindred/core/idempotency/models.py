"""The stored first response of each (workspace, Idempotency-Key)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, WorkspaceMixin, utcnow


class IdempotencyRecord(IdMixin, WorkspaceMixin, Base):
    """A claimed key: running until `response_status` is set, replayed until `expires_at`.

    `fingerprint` is the SHA-256 of method, path, query and body: the same key with another
    fingerprint is a reused key. `locked_at` is when the running request claimed it; a claim
    older than the lock period belongs to a crashed request and may be taken over. Every claim
    draws a new `claim_token`, so only the current owner can complete or release the record.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        Index("ix_idempotency_records_expires_at", "expires_at"),
    )

    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    claim_token: Mapped[str] = mapped_column(String(64))
    locked_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    response_status: Mapped[int | None]
    response_headers: Mapped[dict[str, Any] | None]
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
