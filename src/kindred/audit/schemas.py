"""Audit log wire format."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from kindred.core.schemas import ApiModel

AuditAction = Literal["create", "update", "delete"]


class AuditEntryRead(ApiModel):
    id: uuid.UUID
    action: AuditAction
    entity_type: str
    entity_id: str
    actor_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    request_id: str | None
    changes: dict[str, Any]
    created_at: datetime


class AuditLogPage(ApiModel):
    entries: list[AuditEntryRead]
    total: int
    page: int
    page_size: int
    total_pages: int
