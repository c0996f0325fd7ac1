"""The workspace's audit log (workspace admins)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from kindred.audit import service
from kindred.audit.repository import AuditFilters
from kindred.audit.schemas import AuditAction, AuditEntryRead, AuditLogPage
from kindred.core.db.session import DbSession
from kindred.core.deps import WorkspaceAdmin
from kindred.core.schemas import PageMeta, Paging

router = APIRouter(prefix="/api/audit-log", tags=["audit"])


@router.get("", response_model=AuditLogPage, summary="Who created, changed or deleted what")
async def audit_log(
    principal: WorkspaceAdmin,
    session: DbSession,
    paging: Paging,
    entity_type: Annotated[str | None, Query(alias="entityType", max_length=100)] = None,
    entity_id: Annotated[str | None, Query(alias="entityId", max_length=64)] = None,
    actor_id: Annotated[uuid.UUID | None, Query(alias="actorId")] = None,
    action: Annotated[AuditAction | None, Query()] = None,
    since: Annotated[datetime | None, Query()] = None,
) -> AuditLogPage:
    filters = AuditFilters(entity_type, entity_id, actor_id, action, since)
    found, total = await service.entries(session, principal.workspace, filters, paging)
    return AuditLogPage.model_validate(
        {
            "entries": [AuditEntryRead.model_validate(entry) for entry in found],
            **PageMeta.of(paging, total),
        }
    )
