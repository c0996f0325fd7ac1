"""Statements on idempotency_records: claim, take over, complete, release, purge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import uuid7
from kindred.core.db.dialect import insert_ignoring_conflicts
from kindred.core.idempotency.models import IdempotencyRecord

RECORDS = cast(Any, IdempotencyRecord.__table__)


@dataclass(frozen=True)
class Claim:
    """What a request claims: its key, its request fingerprint, and its own token."""

    workspace_id: uuid.UUID
    key: str
    fingerprint: str
    token: str


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_claim(self, claim: Claim, now: datetime, expires_at: datetime) -> bool:
        """Claims a free key; False when the (workspace, key) row already exists."""
        statement = insert_ignoring_conflicts(self.session, RECORDS).values(
            id=uuid7(),
            workspace_id=claim.workspace_id,
            key=claim.key,
            fingerprint=claim.fingerprint,
            claim_token=claim.token,
            locked_at=now,
            expires_at=expires_at,
            created_at=now,
        )
        return _rowcount(await self.session.execute(statement)) == 1

    async def find(self, workspace_id: uuid.UUID, key: str) -> IdempotencyRecord | None:
        statement = select(IdempotencyRecord).where(
            IdempotencyRecord.workspace_id == workspace_id, IdempotencyRecord.key == key
        )
        found: IdempotencyRecord | None = await self.session.scalar(statement)
        return found

    async def take_over(
        self, record: IdempotencyRecord, claim: Claim, now: datetime, expires_at: datetime
    ) -> bool:
        """Re-claims an expired or abandoned record, unless someone else re-claimed it first.

        An abandoned record that its (slow, not crashed) request completed meanwhile keeps
        its token, so a record that is neither running nor expired is left alone too.
        """
        statement = (
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.id == record.id,
                IdempotencyRecord.claim_token == record.claim_token,
                or_(
                    IdempotencyRecord.response_status.is_(None), IdempotencyRecord.expires_at <= now
                ),
            )
            .values(
                fingerprint=claim.fingerprint,
                claim_token=claim.token,
                locked_at=now,
                expires_at=expires_at,
                response_status=None,
                response_headers=None,
                response_body=None,
                created_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return _rowcount(await self.session.execute(statement)) == 1

    async def complete(
        self, claim: Claim, status: int, headers: dict[str, Any], body: bytes
    ) -> bool:
        """Stores the response; False when `claim` no longer owns the key."""
        statement = (
            update(IdempotencyRecord)
            .where(*self._owned(claim))
            .values(response_status=status, response_headers=headers, response_body=body)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(await self.session.execute(statement)) == 1

    async def release(self, claim: Claim) -> None:
        """Frees the key if `claim` still owns it and has stored no response."""
        statement = delete(IdempotencyRecord).where(
            *self._owned(claim), IdempotencyRecord.response_status.is_(None)
        )
        await self.session.execute(statement.execution_options(synchronize_session=False))

    async def purge_expired(self, now: datetime) -> int:
        statement = delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < now)
        result = await self.session.execute(statement.execution_options(synchronize_session=False))
        return _rowcount(result)

    @staticmethod
    def _owned(claim: Claim) -> tuple[Any, ...]:
        return (
            IdempotencyRecord.workspace_id == claim.workspace_id,
            IdempotencyRecord.key == claim.key,
            IdempotencyRecord.claim_token == claim.token,
        )
