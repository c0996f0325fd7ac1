"""User accounts and workspace membership management."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.passwords import hash_password
from kindred.core.permissions import Role
from kindred.users.errors import AlreadyMember, EmailAlreadyExists, LastAdmin, UserNotFound
from kindred.users.models import User
from kindred.users.repository import UserRepository
from kindred.workspaces import service as workspaces


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password: str | None,
    is_platform_admin: bool = False,
) -> User:
    repo = UserRepository(session)
    email = normalise_email(email)
    if await repo.by_email(email) is not None:
        raise EmailAlreadyExists()
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password) if password else None,
        is_platform_admin=is_platform_admin,
    )
    try:
        async with session.begin_nested():
            return await repo.add(user)
    except exc.IntegrityError as error:  # a concurrent sign-up with the same email won
        raise EmailAlreadyExists() from error


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    return await UserRepository(session).by_email(normalise_email(email))


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    return await UserRepository(session).get_or_404(user_id)


async def members(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[tuple[User, str]]:
    return await UserRepository(session).members_of(workspace_id)


async def member(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[User, str]:
    """A member of the workspace; a user outside it is not found (no existence leak)."""
    membership = await workspaces.find_membership(session, workspace_id, user_id)
    if membership is None:
        raise UserNotFound()
    return await get_user(session, user_id), membership.role


async def add_member(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    email: str,
    name: str | None,
    password: str | None,
    role: Role,
) -> tuple[User, str]:
    """Adds an existing account by email, or creates the account, as a member with a role."""
    user = await find_by_email(session, email)
    if user is None:
        user = await create_user(session, email=email, name=name or email, password=password)
    elif await workspaces.find_membership(session, workspace_id, user.id) is not None:
        raise AlreadyMember()
    await workspaces.add_member(session, workspace_id=workspace_id, user_id=user.id, role=role)
    return user, role.value


async def set_role(
    session: AsyncSession, *, workspace_id: uuid.UUID, user_id: uuid.UUID, role: Role
) -> tuple[User, str]:
    membership = await workspaces.find_membership(session, workspace_id, user_id)
    if membership is None:
        raise UserNotFound()
    if membership.role == Role.ADMIN and role != Role.ADMIN:
        await _ensure_another_admin(session, workspace_id)
    membership.role = role.value
    await session.flush()
    return await get_user(session, user_id), membership.role


async def remove_member(
    session: AsyncSession, *, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    membership = await workspaces.find_membership(session, workspace_id, user_id)
    if membership is None:
        raise UserNotFound()
    if membership.role == Role.ADMIN:
        await _ensure_another_admin(session, workspace_id)
    await workspaces.remove_membership(session, membership)


async def _ensure_another_admin(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    if await workspaces.count_admins(session, workspace_id) <= 1:
        raise LastAdmin()


async def all_users(session: AsyncSession, offset: int, limit: int) -> tuple[Sequence[User], int]:
    """Every account on the platform (platform-admin view)."""
    return await UserRepository(session).all_users(offset, limit)
