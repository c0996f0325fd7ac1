"""Statements on balances, the ledger and the weights."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from kindred.billing.models import CreditAccount, CreditEntry, CreditWeight
from kindred.core.db import utcnow, uuid7
from kindred.core.db.dialect import insert_ignoring_conflicts
from kindred.core.repository import Repository, WorkspaceRepository


class CreditAccountRepository(WorkspaceRepository[CreditAccount]):
    model = CreditAccount

    async def ensure(self, initial: Decimal) -> bool:
        """Opens the workspace's account with `initial` credits; False if it already exists."""
        now = utcnow()
        statement = insert_ignoring_conflicts(
            self.session, cast(Any, CreditAccount.__table__)
        ).values(
            id=uuid7(),
            workspace_id=self.workspace_id,
            balance=initial,
            created_at=now,
            updated_at=now,
        )
        result = cast(CursorResult[Any], await self.session.execute(statement))
        return result.rowcount == 1

    async def exists(self) -> bool:
        found = await self.session.scalar(
            select(CreditAccount.id).where(CreditAccount.workspace_id == self.workspace_id)
        )
        return found is not None

    async def debit(self, amount: Decimal) -> bool:
        """Takes `amount` if the balance covers it, atomically; False otherwise."""
        statement = (
            update(CreditAccount)
            .where(CreditAccount.workspace_id == self.workspace_id, CreditAccount.balance >= amount)
            .values(balance=CreditAccount.balance - amount, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        result = cast(CursorResult[Any], await self.session.execute(statement))
        return result.rowcount == 1

    async def balance(self) -> Decimal:
        found = await self.session.scalar(
            select(CreditAccount.balance).where(CreditAccount.workspace_id == self.workspace_id)
        )
        return Decimal(found or 0)

    async def credit(self, amount: Decimal) -> None:
        statement = (
            update(CreditAccount)
            .where(CreditAccount.workspace_id == self.workspace_id)
            .values(balance=CreditAccount.balance + amount, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(statement)


class CreditEntryRepository(WorkspaceRepository[CreditEntry]):
    model = CreditEntry


class CreditWeightRepository(Repository[CreditWeight]):
    model = CreditWeight

    async def listed(self) -> Sequence[CreditWeight]:
        return await self.all(self.base())

    async def by_type(self, credit_type: str) -> CreditWeight | None:
        found: CreditWeight | None = await self.session.scalar(
            self.base().where(CreditWeight.credit_type == credit_type)
        )
        return found
