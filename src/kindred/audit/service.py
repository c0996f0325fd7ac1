"""Reading the audit log (entries are written by the recorder on flush)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.audit.models import AuditEntry
from kindred.audit.repository import AuditFilters, AuditRepository
from kindred.core.schemas import PageParams


async def entries(
    session: AsyncSession, workspace_id: uuid.UUID, filters: AuditFilters, params: PageParams
) -> tuple[Sequence[AuditEntry], int]:
    repo = AuditRepository(session, workspace_id)
    return await repo.page(repo.filtered(filters), params)
