"""Credits: a workspace's balance opens with the configured grant on first use; every outbound
message is charged its channel's weight in the same transaction as the message, so a
rolled-back send costs nothing. Weights are platform-wide (document 003)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.billing.models import CreditEntry, CreditWeight
from kindred.billing.repository import (
    CreditAccountRepository,
    CreditEntryRepository,
    CreditWeightRepository,
)
from kindred.settings import Settings


class CreditType(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    VOICEMAIL = "VOICEMAIL"
    SKIPTRACE = "SKIPTRACE"


DEFAULT_WEIGHT = Decimal(1)


async def weights(session: AsyncSession) -> dict[str, Decimal]:
    """Every credit type's weight (1 until an admin changes it)."""
    stored = {row.credit_type: row.weight for row in await CreditWeightRepository(session).listed()}
    return {kind.value: Decimal(stored.get(kind.value, DEFAULT_WEIGHT)) for kind in CreditType}


async def set_weight(session: AsyncSession, credit_type: CreditType, weight: Decimal) -> Decimal:
    """Sets a type's weight; returns the previous one."""
    repository = CreditWeightRepository(session)
    row = await repository.by_type(credit_type.value)
    if row is None:
        await repository.add(CreditWeight(credit_type=credit_type.value, weight=weight))
        return DEFAULT_WEIGHT
    previous = Decimal(row.weight)
    row.weight = weight
    await session.flush()
    return previous


async def _account(
    session: AsyncSession, settings: Settings, workspace_id: uuid.UUID
) -> CreditAccountRepository:
    accounts = CreditAccountRepository(session, workspace_id)
    # Looked up first: the insert-if-missing would wait on any transaction holding the row.
    if not await accounts.exists() and await accounts.ensure(Decimal(settings.initial_credits)):
        await CreditEntryRepository(session, workspace_id).add(
            CreditEntry(
                amount=Decimal(settings.initial_credits),
                credit_type="GRANT",
                description="Initial credits",
            )
        )
    return accounts


async def charge(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    credit_type: CreditType,
    reference_id: uuid.UUID | None = None,
) -> bool:
    """Charges one `credit_type` at its weight; False (and nothing charged) when the balance
    does not cover it."""
    cost = (await weights(session))[credit_type.value]
    accounts = await _account(session, settings, workspace_id)
    if cost and not await accounts.debit(cost):
        return False
    await CreditEntryRepository(session, workspace_id).add(
        CreditEntry(amount=-cost, credit_type=credit_type.value, reference_id=reference_id)
    )
    return True


async def charge_many(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    credit_type: CreditType,
    wanted: int,
    reference_id: uuid.UUID | None = None,
    *,
    whole: bool = False,
) -> int:
    """Charges up to `wanted` units of `credit_type`, as far as the balance goes (`whole`: all
    of them or none), with one ledger entry for them all (a campaign batch's); returns how
    many were charged."""
    if wanted <= 0:
        return 0
    cost = (await weights(session))[credit_type.value]
    accounts = await _account(session, settings, workspace_id)
    if not cost:
        charged = wanted
    elif whole:
        charged = wanted if await accounts.debit(cost * wanted) else 0
    else:
        charged = await _debit_up_to(accounts, cost, wanted)
    if charged:
        await CreditEntryRepository(session, workspace_id).add(
            CreditEntry(
                amount=-cost * charged,
                credit_type=credit_type.value,
                reference_id=reference_id,
                description=f"{charged} messages",
            )
        )
    return charged


async def _debit_up_to(accounts: CreditAccountRepository, cost: Decimal, wanted: int) -> int:
    """Debits `cost` times the most of `wanted` units the balance covers; a concurrent debit between
    reading the balance and taking it makes it try again with fewer."""
    while wanted > 0:
        if await accounts.debit(cost * wanted):
            return wanted
        wanted = min(wanted - 1, int(await accounts.balance() // cost))
    return 0
