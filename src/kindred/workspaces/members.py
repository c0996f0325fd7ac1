"""Checking that a user named as an owner (of a lead, deal, appointment) is a member."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.errors import ValidationFailed
from kindred.workspaces.service import find_membership


async def require_member(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID, field: str = "ownerId"
) -> uuid.UUID:
    """`user_id` when that user belongs to the workspace, else a 400 on `field`."""
    if await find_membership(session, workspace_id, user_id) is None:
        message = "Not a member of this workspace"
        raise ValidationFailed(message, details=[{"field": field, "message": message}])
    return user_id
