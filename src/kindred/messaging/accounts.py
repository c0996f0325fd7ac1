"""Each workspace's Twilio account (document 003's `update-twillio-messaging-service-sid`).

The auth token is stored encrypted and never returned. The account SID and the sender
number are registered as the workspace's inbound bindings, so that Twilio's webhooks find
the workspace by the `To` number (or by the account when only this workspace uses it).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.values import normalise_phone
from kindred.messaging.models import TwilioAccount
from kindred.messaging.repository import TwilioAccountRepository
from kindred.providers import inbound
from kindred.providers.models import BindingKind
from kindred.providers.twilio.client import TwilioCredentials

PROVIDER = "twilio"


async def twilio_credentials(
    session: AsyncSession, workspace_id: uuid.UUID
) -> TwilioCredentials | None:
    account = await TwilioAccountRepository(session, workspace_id).current()
    if account is None or not account.account_sid or not account.auth_token:
        return None
    return TwilioCredentials(
        account_sid=account.account_sid,
        auth_token=account.auth_token,
        messaging_service_sid=account.messaging_service_sid,
        phone_number=account.phone_number,
    )


async def auth_token(session: AsyncSession, workspace_id: uuid.UUID) -> str | None:
    account = await TwilioAccountRepository(session, workspace_id).current()
    return account.auth_token if account else None


async def update_twilio(
    session: AsyncSession, workspace_id: uuid.UUID, changes: dict[str, Any]
) -> TwilioAccount:
    """Applies the given fields (a field sent as null clears it; one not sent is kept)."""
    repository = TwilioAccountRepository(session, workspace_id)
    account = await repository.current() or await repository.add(TwilioAccount())
    if "phone_number" in changes:
        changes["phone_number"] = normalise_phone(changes["phone_number"], "twilioPhoneNumber")
    for field in ("account_sid", "phone_number"):
        if field in changes:
            await _rebind(
                session, workspace_id, _kind(field), getattr(account, field), changes[field]
            )
    for name, value in changes.items():
        setattr(account, name, value or None)
    await session.flush()
    return account


def _kind(field: str) -> BindingKind:
    return BindingKind.ACCOUNT if field == "account_sid" else BindingKind.ADDRESS


async def _rebind(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    kind: BindingKind,
    old: str | None,
    new: str | None,
) -> None:
    if old and old != new:
        await inbound.unbind(session, workspace_id, PROVIDER, kind, old)
    if new:
        await inbound.bind(session, workspace_id, PROVIDER, kind, new)
