"""Queries on users and on memberships seen from the user's side."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select

from kindred.core.repository import Repository
from kindred.users.errors import UserNotFound
from kindred.users.models import User
from kindred.workspaces.models import Membership


class UserRepository(Repository[User]):
    model = User
    not_found = UserNotFound

    async def by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email.lower()))

    async def members_of(self, workspace_id: uuid.UUID) -> Sequence[tuple[User, str]]:
        rows = await self.session.execute(
            select(User, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == workspace_id)
            .order_by(User.created_at)
        )
        return [(user, role) for user, role in rows]

    async def all_users(self, offset: int, limit: int) -> tuple[Sequence[User], int]:
        total = int(await self.session.scalar(select(func.count()).select_from(User)) or 0)
        users = await self.all(select(User).order_by(User.created_at).offset(offset).limit(limit))
        return users, total
