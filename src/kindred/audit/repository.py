"""Queries on the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert
from sqlalchemy.orm import Session

from kindred.audit.models import AuditEntry
from kindred.core.repository import WorkspaceRepository


@dataclass(frozen=True)
class AuditFilters:
    entity_type: str | None = None
    entity_id: str | None = None
    actor_id: uuid.UUID | None = None
    action: str | None = None
    since: datetime | None = None


def insert_entries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """One multi-row INSERT from inside a flush (no ORM objects, so no nested flush)."""
    session.connection().execute(insert(AuditEntry), list(rows))


class AuditRepository(WorkspaceRepository[AuditEntry]):
    model = AuditEntry

    def filtered(self, filters: AuditFilters) -> Select[AuditEntry]:
        stmt = self.base()
        conditions = (
            (filters.entity_type, AuditEntry.entity_type),
            (filters.entity_id, AuditEntry.entity_id),
            (filters.actor_id, AuditEntry.actor_id),
            (filters.action, AuditEntry.action),
        )
        for value, column in conditions:
            if value is not None:
                stmt = stmt.where(column == value)
        if filters.since is not None:
            stmt = stmt.where(AuditEntry.created_at >= filters.since)
        return stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
