"""Queries on workspaces and memberships."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select

from kindred.core.repository import Repository
from kindred.workspaces.errors import WorkspaceNotFound
from kindred.workspaces.models import Membership, Workspace


class WorkspaceTableRepository(Repository[Workspace]):
    model = Workspace
    not_found = WorkspaceNotFound

    async def for_user(self, user_id: uuid.UUID) -> Sequence[tuple[Workspace, str]]:
        rows = await self.session.execute(
            select(Workspace, Membership.role)
            .join(Membership, Membership.workspace_id == Workspace.id)
            .where(Membership.user_id == user_id)
            .order_by(Membership.created_at)
        )
        return [(first, second) for first, second in rows]


class MembershipRepository(Repository[Membership]):
    model = Membership

    async def find(self, workspace_id: uuid.UUID, user_id: uuid.UUID) -> Membership | None:
        return await self.session.scalar(
            select(Membership).where(
                Membership.workspace_id == workspace_id, Membership.user_id == user_id
            )
        )

    async def count_admins(self, workspace_id: uuid.UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Membership)
                .where(Membership.workspace_id == workspace_id, Membership.role == "admin")
            )
            or 0
        )
