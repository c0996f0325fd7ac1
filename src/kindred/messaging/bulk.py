"""One message to each of many contacts at once (a campaign's batch).

The same rules as `service.send` (the consent gate and its credits, the provider hand-off) in a
fixed number of statements per batch instead of a dozen per message: one banlist lookup, one
debit and ledger entry, one insert each for messages and sandbox captures (or delivery jobs).
Rows are written with bulk inserts, so the ORM audit hook does not see them: the campaign that
caused them is the audited change.

A campaign's messages belong to no conversation: a newsletter to a hundred thousand contacts
would otherwise open (or move to the top of the inbox) a hundred thousand threads, and cost a
conversation row written per recipient. The contact's conversation on the channel, once there
is one, shows them (`MessageRepository.of_conversation`). Nor are they copied to the timeline,
which reads them from the messages (`messaging.timeline`).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.models import Contact
from kindred.core.db import utcnow, uuid7
from kindred.core.jobs import enqueue_many
from kindred.messaging import delivery, gate, sandbox
from kindred.messaging.models import Channel, Direction, MessageStatus
from kindred.messaging.repository import MessageRepository
from kindred.messaging.service import Draft
from kindred.providers.base import OutboundMessage
from kindred.settings import Settings

SANDBOX = "sandbox"


@dataclass(frozen=True)
class Outgoing:
    contact: Contact
    draft: Draft


@dataclass(frozen=True)
class Outcome:
    """What became of one outgoing message: its id and address, or the gate's refusal (the
    message is then kept FAILED, as `service.send` keeps it)."""

    message_id: uuid.UUID
    to_address: str | None
    refusal: gate.MessageRefused | None


class _NotAllCovered(Exception):
    """The credits do not cover the whole batch: undo it and charge as far as they go."""


@dataclass(frozen=True)
class _Batch:
    workspace_id: uuid.UUID
    channel: Channel
    outgoing: Sequence[Outgoing]
    ids: list[uuid.UUID]
    campaign_id: uuid.UUID
    now: datetime


async def send_many(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    channel: Channel,
    outgoing: Sequence[Outgoing],
    *,
    campaign_id: uuid.UUID,
) -> list[Outcome]:
    """Records and hands over one message per item; outcomes come back in the same order.
    Sandbox captures are written now and name `campaign_id`; live providers are called by one
    delivery job per message, after the commit.

    The credits are charged last, after the writes: the workspace's credit account row stays
    locked only until the commit, so the batches of one campaign run side by side. A batch the
    credits do not cover is rolled back to a savepoint and written again, charged first, with
    the recipients beyond the balance refused."""
    if not outgoing:
        return []
    people = [item.contact for item in outgoing]
    screened = await gate.screen_many(session, workspace_id, channel, people)
    now = utcnow()
    batch = _Batch(workspace_id, channel, outgoing, [uuid7() for _ in outgoing], campaign_id, now)
    charge = functools.partial(
        gate.charge_many, session, settings, workspace_id, channel, reference_id=campaign_id
    )
    try:
        async with session.begin_nested():
            rows = await _record(session, settings, batch, screened)
            if await charge(screened, whole=True) != screened:
                raise _NotAllCovered
        verdicts = screened
    except _NotAllCovered:
        verdicts = await charge(screened)
        rows = await _record(session, settings, batch, verdicts)
    if settings.delivery_mode != SANDBOX:
        await _queue_deliveries(session, workspace_id, rows)
    return [
        Outcome(row["id"], row["to_address"], None if isinstance(v, str) else v)
        for row, v in zip(rows, verdicts, strict=True)
    ]


async def _record(
    session: AsyncSession,
    settings: Settings,
    batch: _Batch,
    verdicts: Sequence[str | gate.MessageRefused],
) -> list[dict[str, Any]]:
    """Writes the messages (refused ones FAILED) and, in sandbox mode, the accepted ones'
    captures; returns the message rows."""
    rows = [
        _message(batch, item, message_id, verdict)
        for item, message_id, verdict in zip(batch.outgoing, batch.ids, verdicts, strict=True)
    ]
    accepted = [row for row in rows if row["status"] == MessageStatus.QUEUED.value]
    captures = _captures(accepted) if settings.delivery_mode == SANDBOX else []
    await MessageRepository(session, batch.workspace_id).insert_many(rows)
    await sandbox.capture_many(session, batch.workspace_id, captures, batch.campaign_id)
    return rows


async def _queue_deliveries(
    session: AsyncSession, workspace_id: uuid.UUID, rows: list[dict[str, Any]]
) -> None:
    queued = [row for row in rows if row["status"] == MessageStatus.QUEUED.value]
    if queued:
        await enqueue_many(
            session,
            delivery.SEND_TASK,
            [{"workspace": str(workspace_id), "message": str(row["id"])} for row in queued],
            workspace_id=workspace_id,
        )


def _message(
    batch: _Batch, item: Outgoing, message_id: uuid.UUID, verdict: str | gate.MessageRefused
) -> dict[str, Any]:
    refused, draft, now = not isinstance(verdict, str), item.draft, batch.now
    return {
        "id": message_id,
        "conversation_id": None,
        "contact_id": item.contact.id,
        "campaign_id": batch.campaign_id,
        "direction": Direction.OUTBOUND.value,
        "channel": batch.channel.value,
        "content": draft.content,
        "subject": draft.subject,
        "html": draft.html,
        "from_address": draft.sender,
        "headers": draft.headers or None,
        "status": (MessageStatus.FAILED if refused else MessageStatus.QUEUED).value,
        "error": verdict.message if isinstance(verdict, gate.MessageRefused) else None,
        "to_address": None if refused else verdict,
        "provider": None,
        "provider_message_id": None,
        "sent_at": None,
        "created_at": now,
        "updated_at": now,
    }


def _captures(accepted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sandbox rows of the accepted messages, which become SENT by the sandbox provider
    with the capture's id as their provider id (as `delivery.deliver` records one)."""
    captures = []
    for row in accepted:
        outbound = OutboundMessage(
            id=str(row["id"]),
            to=row["to_address"],
            body=row["content"],
            sender=row["from_address"],
            subject=row["subject"],
            html=row["html"],
            headers=row["headers"] or {},
        )
        capture_id = uuid7()
        captures.append(
            {
                "id": capture_id,
                **sandbox.captured(
                    row["id"], row["channel"], row["to_address"], outbound, row["created_at"]
                ),
            }
        )
        row.update(
            status=MessageStatus.SENT.value,
            provider=SANDBOX,
            provider_message_id=str(capture_id),
            sent_at=row["created_at"],
        )
    return captures
