"""Creating, listing, revoking and authenticating workspace API keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.api_keys.models import ApiKey
from kindred.api_keys.repository import ApiKeyLookup, ApiKeyRepository
from kindred.core.db import utcnow
from kindred.core.tokens import new_token, token_digest
from kindred.users.models import User

KEY_PREFIX = "pai_"
DISPLAY_PREFIX_LENGTH = 12
# lastUsedAt is refreshed at most this often, so a busy key does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    raw_key: str


async def create_key(
    session: AsyncSession, *, workspace_id: uuid.UUID, user_id: uuid.UUID, name: str
) -> CreatedKey:
    raw_key = new_token(KEY_PREFIX, 32)
    key = ApiKey(
        user_id=user_id,
        name=name,
        key_prefix=raw_key[:DISPLAY_PREFIX_LENGTH],
        key_hash=token_digest(raw_key),
    )
    await ApiKeyRepository(session, workspace_id).add(key)
    return CreatedKey(key=key, raw_key=raw_key)


async def list_keys(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Sequence[tuple[ApiKey, User]]:
    return await ApiKeyRepository(session, workspace_id).with_creators()


async def revoke_key(session: AsyncSession, *, workspace_id: uuid.UUID, key_id: uuid.UUID) -> None:
    key = await ApiKeyRepository(session, workspace_id).get_or_404(key_id)
    if key.revoked_at is not None:
        raise ApiKeyRepository.not_found()
    key.is_active = False
    key.revoked_at = utcnow()
    await session.flush()


async def active_key(session: AsyncSession, raw_key: str) -> ApiKey | None:
    """The active key for a presented secret, read only (the rate limiter's check)."""
    if not raw_key.startswith(KEY_PREFIX):
        return None
    key = await ApiKeyLookup(session).by_hash(token_digest(raw_key))
    return key if key is not None and key.is_active else None


async def authenticate_key(session: AsyncSession, raw_key: str) -> ApiKey | None:
    """The active key for a presented secret, its lastUsedAt refreshed at a coarse resolution."""
    key = await active_key(session, raw_key)
    if key is None:
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
        await session.flush()
    return key
