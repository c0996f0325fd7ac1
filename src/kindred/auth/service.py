"""Sign-up, sign-in, session lookup and sign-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.auth.errors import InvalidCredentials
from kindred.auth.models import AuthSession
from kindred.auth.repository import AuthSessionRepository
from kindred.core.db import utcnow
from kindred.core.passwords import verify_password
from kindred.core.tokens import new_token, token_digest
from kindred.users import service as users
from kindred.users.models import User
from kindred.workspaces import service as workspaces
from kindred.workspaces.models import Workspace


@dataclass(frozen=True)
class NewSession:
    token: str
    record: AuthSession
    user: User


async def signup(
    session: AsyncSession,
    *,
    name: str,
    email: str,
    password: str,
    business_name: str | None,
    industry: str | None,
) -> tuple[User, Workspace]:
    """Creates the user, a workspace named after the business, and an admin membership."""
    user = await users.create_user(session, email=email, name=name, password=password)
    workspace = await workspaces.create_workspace(
        session, name=business_name or f"{name}'s workspace", owner_id=user.id, industry=industry
    )
    return user, workspace


async def signin(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    ttl: timedelta,
    user_agent: str | None = None,
    ip_address: str | None = None,
) -> NewSession:
    user = await users.find_by_email(session, email)
    if not verify_password(password, user.password_hash if user else None) or user is None:
        raise InvalidCredentials()
    token = new_token()
    record = AuthSession(
        user_id=user.id,
        token_hash=token_digest(token),
        expires_at=utcnow() + ttl,
        user_agent=(user_agent or "")[:500] or None,
        ip_address=ip_address,
    )
    await AuthSessionRepository(session).add(record)
    return NewSession(token=token, record=record, user=user)


async def resolve_session(session: AsyncSession, token: str) -> tuple[AuthSession, User] | None:
    """The live session behind a cookie token, or None when unknown or expired."""
    record = await AuthSessionRepository(session).by_token_hash(token_digest(token))
    if record is None or record.expires_at <= utcnow():
        return None
    user = await users.get_user(session, record.user_id)
    return record, user


async def signout(session: AsyncSession, token: str) -> None:
    await AuthSessionRepository(session).delete_by_token_hash(token_digest(token))
