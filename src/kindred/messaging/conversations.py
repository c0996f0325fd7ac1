"""Conversations: found or opened per (contact, channel), listed with their contact and last
message, and the inbox actions (assign, close, reopen, mark read, tag)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import stats as contact_lookup
from kindred.contacts.models import Contact
from kindred.messaging.models import Channel, Conversation, ConversationStatus, Message
from kindred.messaging.repository import ConversationRepository, MessageRepository
from kindred.workspaces.members import require_member

LIST_LIMIT = 200
THREAD_LIMIT = 1000


async def get(
    session: AsyncSession, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation:
    return await ConversationRepository(session, workspace_id).get_or_404(conversation_id)


async def for_contact(
    session: AsyncSession, workspace_id: uuid.UUID, contact: Contact, channel: Channel
) -> Conversation:
    """The contact's conversation on the channel, opened on first use."""
    repository = ConversationRepository(session, workspace_id)
    found = await repository.of_contact(contact.id, channel.value)
    if found is not None:
        return found
    return await repository.add(
        Conversation(contact_id=contact.id, company_id=contact.company_id, channel=channel.value)
    )


async def list_conversations(
    session: AsyncSession, workspace_id: uuid.UUID, channel: Channel | None
) -> list[dict[str, Any]]:
    """The newest conversations, each with its contact and last message (three queries)."""
    repository = ConversationRepository(session, workspace_id)
    rows = await repository.all(
        repository.listed(channel.value if channel else None).limit(LIST_LIMIT)
    )
    return await _with_context(session, workspace_id, rows)


async def read(
    session: AsyncSession, workspace_id: uuid.UUID, conversation: Conversation
) -> dict[str, Any]:
    """One conversation as the list shows it."""
    return (await _with_context(session, workspace_id, [conversation]))[0]


async def _with_context(
    session: AsyncSession, workspace_id: uuid.UUID, rows: Sequence[Conversation]
) -> list[dict[str, Any]]:
    latest = await MessageRepository(session, workspace_id).latest_of([row.id for row in rows])
    people = await _contacts_of(session, workspace_id, rows)
    return [
        {
            **row.__dict__,
            "contact": people.get(row.contact_id) if row.contact_id else None,
            "last_message": latest.get(row.id),
        }
        for row in rows
    ]


async def _contacts_of(
    session: AsyncSession, workspace_id: uuid.UUID, rows: Sequence[Conversation]
) -> dict[uuid.UUID, Contact]:
    ids = list({row.contact_id for row in rows if row.contact_id})
    return await contact_lookup.contacts_by_ids(session, workspace_id, ids)


async def thread(
    session: AsyncSession, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> Sequence[Message]:
    conversation = await get(session, workspace_id, conversation_id)
    return await MessageRepository(session, workspace_id).of_conversation(
        conversation, THREAD_LIMIT
    )


def note_message(conversation: Conversation, message: Message) -> None:
    """Keeps the conversation's counters current: an inbound message is unread and reopens."""
    conversation.last_message_at = message.created_at
    if message.direction == "INBOUND":
        conversation.unread_count += 1
        conversation.is_read = False
        conversation.status = ConversationStatus.OPEN.value


async def assign(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    user_id: uuid.UUID | None,
) -> Conversation:
    conversation = await get(session, workspace_id, conversation_id)
    if user_id is not None:
        await require_member(session, workspace_id, user_id, field="userId")
    conversation.assigned_to_user_id = user_id
    await session.flush()
    return conversation


async def set_status(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    status: ConversationStatus,
) -> Conversation:
    conversation = await get(session, workspace_id, conversation_id)
    conversation.status = status.value
    await session.flush()
    return conversation


async def mark_read(
    session: AsyncSession, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation:
    conversation = await get(session, workspace_id, conversation_id)
    conversation.is_read, conversation.unread_count = True, 0
    await session.flush()
    return conversation


async def set_tags(
    session: AsyncSession, workspace_id: uuid.UUID, conversation_id: uuid.UUID, tags: Sequence[str]
) -> Conversation:
    conversation = await get(session, workspace_id, conversation_id)
    conversation.tags = list(dict.fromkeys(tags))
    await session.flush()
    return conversation
