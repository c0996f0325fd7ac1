"""Statements on the inbound event ledger and provider bindings (cross-workspace by nature:
an inbound webhook does not know its workspace until a binding names it)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import utcnow, uuid7
from kindred.core.db.dialect import insert_ignoring_conflicts
from kindred.providers.models import InboundEvent, ProviderBinding


def _inserted(result: Any) -> bool:
    return cast(CursorResult[Any], result).rowcount == 1


class InboundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_event(
        self, provider: str, event_id: str, workspace_id: uuid.UUID | None, payload_hash: str
    ) -> bool:
        """Records a delivery; False when (provider, event_id) is already in the ledger."""
        statement = insert_ignoring_conflicts(self.session, cast(Any, InboundEvent.__table__))
        values = {
            "id": uuid7(),
            "provider": provider,
            "event_id": event_id,
            "workspace_id": workspace_id,
            "received_at": utcnow(),
            "payload_hash": payload_hash,
        }
        return _inserted(await self.session.execute(statement.values(**values)))

    async def insert_binding(
        self, workspace_id: uuid.UUID, provider: str, kind: str, value: str
    ) -> bool:
        """Adds a binding; False when it (or the address, for another workspace) exists."""
        statement = insert_ignoring_conflicts(self.session, cast(Any, ProviderBinding.__table__))
        now = utcnow()
        values = {
            "id": uuid7(),
            "workspace_id": workspace_id,
            "provider": provider,
            "kind": kind,
            "value": value,
            "created_at": now,
            "updated_at": now,
        }
        return _inserted(await self.session.execute(statement.values(**values)))

    async def delete_binding(
        self, workspace_id: uuid.UUID, provider: str, kind: str, value: str
    ) -> None:
        statement = delete(ProviderBinding).where(
            ProviderBinding.workspace_id == workspace_id,
            ProviderBinding.provider == provider,
            ProviderBinding.kind == kind,
            ProviderBinding.value == value,
        )
        await self.session.execute(statement.execution_options(synchronize_session=False))

    async def workspaces_bound(
        self, provider: str, kind: str, value: str, limit: int = 2
    ) -> Sequence[uuid.UUID]:
        """The distinct workspaces bound to (provider, kind, value), at most `limit`."""
        statement = (
            select(ProviderBinding.workspace_id)
            .where(
                ProviderBinding.provider == provider,
                ProviderBinding.kind == kind,
                ProviderBinding.value == value,
            )
            .distinct()
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()
