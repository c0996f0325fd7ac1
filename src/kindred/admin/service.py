"""Platform-admin operations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.passwords import hash_password
from kindred.users import service as users


async def ensure_platform_admin(
    session: AsyncSession, *, email: str, password: str, name: str
) -> bool:
    """Creates the platform admin, or promotes the existing account; True when created."""
    existing = await users.find_by_email(session, email)
    if existing is None:
        await users.create_user(
            session, email=email, name=name, password=password, is_platform_admin=True
        )
        return True
    existing.is_platform_admin = True
    existing.password_hash = hash_password(password)
    await session.flush()
    return False
