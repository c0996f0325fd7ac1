"""Creating workspaces, adding members, and resolving a user's role in a workspace."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.permissions import Role
from kindred.workspaces.models import Membership, Workspace
from kindred.workspaces.repository import MembershipRepository, WorkspaceTableRepository


async def create_workspace(
    session: AsyncSession, *, name: str, owner_id: uuid.UUID, industry: str | None = None
) -> Workspace:
    workspace = await WorkspaceTableRepository(session).add(Workspace(name=name, industry=industry))
    await add_member(session, workspace_id=workspace.id, user_id=owner_id, role=Role.ADMIN)
    return workspace


async def add_member(
    session: AsyncSession, *, workspace_id: uuid.UUID, user_id: uuid.UUID, role: Role
) -> Membership:
    membership = Membership(workspace_id=workspace_id, user_id=user_id, role=role.value)
    return await MembershipRepository(session).add(membership)


async def get_workspace(session: AsyncSession, workspace_id: uuid.UUID) -> Workspace:
    return await WorkspaceTableRepository(session).get_or_404(workspace_id)


async def find_membership(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> Membership | None:
    return await MembershipRepository(session).find(workspace_id, user_id)


async def workspaces_of(
    session: AsyncSession, user_id: uuid.UUID
) -> Sequence[tuple[Workspace, str]]:
    return await WorkspaceTableRepository(session).for_user(user_id)


async def count_admins(session: AsyncSession, workspace_id: uuid.UUID) -> int:
    return await MembershipRepository(session).count_admins(workspace_id)


async def remove_membership(session: AsyncSession, membership: Membership) -> None:
    await MembershipRepository(session).delete(membership)
