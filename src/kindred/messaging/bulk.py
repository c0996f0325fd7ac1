"""One message to each of many contacts at once (a campaign's batch).

The same rules as `service.send` (the consent gate and its credits, the contact's
conversation on the channel, the timeline, the provider hand-off) in a fixed number of
statements per batch instead of a dozen per message: one banlist lookup, one debit and ledger
entry, one insert each for conversations, messages, timeline entries and sandbox captures (or
delivery jobs). Rows are written with bulk inserts, so the ORM audit hook does not see them:
the campaign that caused them is the audited change.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import interactions
from kindred.contacts.models import Contact
from kindred.core.db import utcnow, uuid7
from kindred.core.jobs import enqueue_many
from kindred.messaging import conversations, delivery, gate, sandbox
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


async def send_many(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    channel: Channel,
    outgoing: Sequence[Outgoing],
    *,
    campaign_id: uuid.UUID | None = None,
) -> list[Outcome]:
    """Records and hands over one message per item; outcomes come back in the same order.
    Sandbox captures are written now and name `campaign_id`; live providers are called by one
    delivery job per message, after the commit."""
    if not outgoing:
        return []
    ids = [uuid7() for _ in outgoing]
    verdicts = await gate.check_many(
        session,
        settings,
        workspace_id,
        channel,
        [item.contact for item in outgoing],
        reference_id=campaign_id,
    )
    now = utcnow()
    threads = await conversations.for_contacts(
        session, workspace_id, [item.contact for item in outgoing], channel, now
    )
    rows = [
        _message(item, message_id, threads[item.contact.id], channel, verdict, now)
        for item, message_id, verdict in zip(outgoing, ids, verdicts, strict=True)
    ]
    accepted = [row for row in rows if row["status"] == MessageStatus.QUEUED.value]
    captures = _captures(accepted) if settings.delivery_mode == SANDBOX else []
    await MessageRepository(session, workspace_id).insert_many(rows)
    await interactions.record_many(session, workspace_id, [_timeline(row) for row in accepted])
    if captures:
        await sandbox.capture_many(session, workspace_id, captures, campaign_id)
    elif accepted:
        await enqueue_many(
            session,
            delivery.SEND_TASK,
            [{"workspace": str(workspace_id), "message": str(row["id"])} for row in accepted],
            workspace_id=workspace_id,
        )
    return [
        Outcome(row["id"], row["to_address"], None if isinstance(v, str) else v)
        for row, v in zip(rows, verdicts, strict=True)
    ]


def _message(
    item: Outgoing,
    message_id: uuid.UUID,
    conversation_id: uuid.UUID,
    channel: Channel,
    verdict: str | gate.MessageRefused,
    now: datetime,
) -> dict[str, Any]:
    refused = not isinstance(verdict, str)
    draft = item.draft
    return {
        "id": message_id,
        "conversation_id": conversation_id,
        "contact_id": item.contact.id,
        "direction": Direction.OUTBOUND.value,
        "channel": channel.value,
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
                **sandbox.captured(row["id"], row["channel"], row["to_address"], outbound),
            }
        )
        row.update(
            status=MessageStatus.SENT.value,
            provider=SANDBOX,
            provider_message_id=str(capture_id),
            sent_at=row["created_at"],
        )
    return captures


def _timeline(row: dict[str, Any]) -> dict[str, Any]:
    """The contact's timeline entry for a sent message, as `service.send` records one."""
    return {
        "contact_id": row["contact_id"],
        "type": f"{row['channel'].lower()}_sent",
        "subject": row["subject"],
        "body": row["content"],
        "occurred_at": row["created_at"],
        "meta": {"messageId": str(row["id"]), "conversationId": str(row["conversation_id"])},
        "user_id": None,
        "created_at": row["created_at"],
        "updated_at": row["created_at"],
    }
