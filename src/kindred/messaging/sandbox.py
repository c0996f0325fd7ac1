"""The sandbox's captured messages (document 002's `/api/sandbox/emails`, for every channel):
the capture the sandbox provider writes to, listing, clearing."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import utcnow
from kindred.messaging.models import Message, SandboxMessage
from kindred.messaging.repository import SandboxRepository
from kindred.providers.base import OutboundMessage
from kindred.providers.sandbox.provider import Capture

MAX_LIMIT = 500


@dataclass(frozen=True)
class SandboxFilter:
    campaign_id: uuid.UUID | None = None
    to: str | None = None
    status: str | None = None
    since: datetime | None = None


def captured(
    message_id: uuid.UUID | None,
    channel: str,
    to_address: str,
    outbound: OutboundMessage,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The sandbox row's fields for one message handed to the sandbox provider (at `at`, by
    default now)."""
    return {
        "message_id": message_id,
        "channel": channel,
        "to_address": to_address,
        "from_address": outbound.sender,
        "subject": outbound.subject,
        "text": outbound.body,
        "html": outbound.html,
        "headers": {"X-Kindred-Message-Id": outbound.id, **outbound.headers},
        "status": "sent",
        "events": [{"event": "sent", "at": _as_text(at or utcnow()), "url": None}],
    }


def capture_for(session: AsyncSession, message: Message) -> Capture:
    """The capture of one message: stores what would have been sent, returns the row's id."""

    async def capture(channel: str, outbound: OutboundMessage) -> str:
        fields = captured(message.id, channel, message.to_address or outbound.to, outbound)
        row = await SandboxRepository(session, message.workspace_id).add(SandboxMessage(**fields))
        return str(row.id)

    return capture


async def capture_many(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    rows: Sequence[dict[str, Any]],
    campaign_id: uuid.UUID | None,
) -> None:
    """Stores many captures (`captured` fields plus their `id`) in one statement."""
    await SandboxRepository(session, workspace_id).insert_many(
        [{**row, "campaign_id": campaign_id} for row in rows]
    )


@functools.lru_cache(maxsize=4)  # a campaign batch's captures share one moment
def _as_text(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def list_captured(
    session: AsyncSession, workspace_id: uuid.UUID, spec: SandboxFilter, limit: int, offset: int
) -> tuple[Sequence[SandboxMessage], int]:
    repository = SandboxRepository(session, workspace_id)
    statement = repository.filtered(
        campaign_id=spec.campaign_id, to=spec.to, status=spec.status, since=spec.since
    )
    total = await repository.count(statement)
    return await repository.all(statement.limit(min(limit, MAX_LIMIT)).offset(offset)), total


async def get_captured(
    session: AsyncSession, workspace_id: uuid.UUID, sandbox_id: uuid.UUID
) -> SandboxMessage:
    return await SandboxRepository(session, workspace_id).get_or_404(sandbox_id)


async def clear(
    session: AsyncSession, workspace_id: uuid.UUID, campaign_id: uuid.UUID | None
) -> int:
    return await SandboxRepository(session, workspace_id).clear(campaign_id)


def note_event(row: SandboxMessage, event: str, url: str | None) -> None:
    row.status = event
    row.events = [*row.events, {"event": event, "at": _as_text(utcnow()), "url": url}]
