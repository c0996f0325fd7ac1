"""Inbound provider events: record each delivery once, and find the workspace it is for.

A webhook route verifies the signature over the raw body first (the scheme's verifier), then:

    workspace_id = await resolve_workspace(session, "twilio", address=to, account=account_sid)
    if await record_once(session, "twilio", message_sid, workspace_id=workspace_id, payload=raw):
        ...apply it...
    return the same success answer either way

Both run in the request's transaction, so an event whose handling fails is not recorded and
the provider's retry applies it; a replayed delivery finds its ledger row and changes nothing.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.errors import BadRequest, Conflict, NotFound
from kindred.providers.models import BindingKind
from kindred.providers.repository import InboundRepository

MAX_EVENT_ID = 255  # inbound_events.event_id


class InboundWorkspaceNotFound(NotFound):
    code = "NOT_FOUND"
    message = "No workspace receives this"


class InvalidEventId(BadRequest):
    code = "INVALID_PAYLOAD"
    message = "The provider's event or message id is invalid"


class ReceivingAddressTaken(Conflict):
    code = "RECEIVING_ADDRESS_TAKEN"
    message = "This receiving address belongs to another workspace"


def normalise(value: str) -> str:
    """Addresses and accounts compare trimmed and case-insensitively (emails, E.164, SIDs)."""
    return value.strip().lower()


def payload_hash(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def checked_id(value: str) -> str:
    """A provider's event or message id as given, refused (400) when no provider's id could be
    it: empty, longer than the ledger holds, or with a NUL (PostgreSQL can store neither)."""
    if not value or len(value) > MAX_EVENT_ID or "\x00" in value:
        raise InvalidEventId()
    return value


async def record_once(
    session: AsyncSession,
    provider: str,
    event_id: str,
    *,
    workspace_id: uuid.UUID | None = None,
    payload: bytes = b"",
) -> bool:
    """True the first time (provider, event_id) is seen: apply the event; False: a replay.
    An id that cannot be one is refused (InvalidEventId, 400)."""
    repository = InboundRepository(session)
    return await repository.insert_event(
        provider, checked_id(event_id), workspace_id, payload_hash(payload)
    )


async def bind(
    session: AsyncSession, workspace_id: uuid.UUID, provider: str, kind: BindingKind, value: str
) -> None:
    """Registers a receiving address (one workspace only) or a provider account to a workspace.

    Registering the same binding again is a no-op; another workspace's address is a 409.
    """
    repository = InboundRepository(session)
    value = normalise(value)
    if await repository.insert_binding(workspace_id, provider, kind, value):
        return
    owners = await repository.workspaces_bound(provider, kind, value)
    if kind is BindingKind.ADDRESS and workspace_id not in owners:
        raise ReceivingAddressTaken()


async def unbind(
    session: AsyncSession, workspace_id: uuid.UUID, provider: str, kind: BindingKind, value: str
) -> None:
    await InboundRepository(session).delete_binding(workspace_id, provider, kind, normalise(value))


async def resolve_workspace(
    session: AsyncSession, provider: str, *, address: str | None = None, account: str | None = None
) -> uuid.UUID:
    """The workspace by the receiving address, else by the provider account when exactly one
    workspace uses it; otherwise InboundWorkspaceNotFound (404: store nothing)."""
    repository = InboundRepository(session)
    for kind, value in ((BindingKind.ADDRESS, address), (BindingKind.ACCOUNT, account)):
        if value:
            owners = await repository.workspaces_bound(provider, kind, normalise(value))
            if len(owners) == 1:
                return owners[0]
    raise InboundWorkspaceNotFound()
