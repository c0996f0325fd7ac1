"""Queries on API keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from kindred.api_keys.errors import ApiKeyNotFound
from kindred.api_keys.models import ApiKey
from kindred.core.repository import Repository, WorkspaceRepository
from kindred.users.models import User


class ApiKeyRepository(WorkspaceRepository[ApiKey]):
    model = ApiKey
    not_found = ApiKeyNotFound

    async def with_creators(self) -> Sequence[tuple[ApiKey, User]]:
        rows = await self.session.execute(
            select(ApiKey, User)
            .join(User, User.id == ApiKey.user_id)
            .where(ApiKey.workspace_id == self.workspace_id, ApiKey.revoked_at.is_(None))
            .order_by(ApiKey.created_at.desc())
        )
        return [(first, second) for first, second in rows]


class ApiKeyLookup(Repository[ApiKey]):
    """Unscoped by design: a presented key is what tells us its workspace."""

    model = ApiKey

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        return await self.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))
