"""Queries on browser sessions."""

from __future__ import annotations

from sqlalchemy import delete, select

from kindred.auth.models import AuthSession
from kindred.core.repository import Repository


class AuthSessionRepository(Repository[AuthSession]):
    model = AuthSession

    async def by_token_hash(self, token_hash: str) -> AuthSession | None:
        return await self.session.scalar(
            select(AuthSession).where(AuthSession.token_hash == token_hash)
        )

    async def delete_by_token_hash(self, token_hash: str) -> None:
        await self.session.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash))
