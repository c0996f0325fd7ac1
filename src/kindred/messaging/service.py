"""Sending and receiving messages: every outbound message passes the gate (a refusal is kept
as a FAILED message naming the rule), every sent or received message joins its conversation
and the contact's timeline, and received ones emit `message.received`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import events as contact_events
from kindred.contacts import interactions
from kindred.contacts import service as contacts
from kindred.contacts.models import Contact
from kindred.core.db import utcnow
from kindred.core.errors import ValidationFailed
from kindred.core.events import emit
from kindred.core.jobs import enqueue
from kindred.messaging import conversations, delivery, gate
from kindred.messaging.models import Channel, Conversation, Direction, Message, MessageStatus
from kindred.messaging.repository import MessageRepository
from kindred.messaging.schemas import MessageRead
from kindred.settings import Settings

RECENT_FOR_CONTACT = 20


@dataclass(frozen=True)
class Draft:
    """What to send; `sender` ("Name <address>") and `headers` apply to email only."""

    content: str
    subject: str | None = None
    html: str | None = None
    sender: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Inbound:
    channel: Channel
    content: str
    from_address: str | None
    to_address: str | None = None
    provider: str | None = None
    provider_message_id: str | None = None
    subject: str | None = None


def _channel_of(conversation: Conversation, requested: Channel | None) -> Channel:
    if requested is not None and requested.value != conversation.channel:
        message = f"The conversation is on {conversation.channel}"
        raise ValidationFailed(message, details=[{"field": "channel", "message": message}])
    return Channel(conversation.channel)


async def target(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    contact_id: uuid.UUID | None,
    conversation_id: uuid.UUID | None,
    channel: Channel | None,
) -> tuple[Conversation, Contact | None]:
    """The conversation a send goes to: an existing one by id, else the contact's on the
    channel (opened on first use)."""
    if conversation_id is not None:
        conversation = await conversations.get(session, workspace_id, conversation_id)
        _channel_of(conversation, channel)
        contact_id = conversation.contact_id
        found = (
            await contacts.get_contact(session, workspace_id, contact_id) if contact_id else None
        )
        return conversation, found
    if contact_id is None or channel is None:
        message = "contactId and channel (or conversationId) are required"
        raise ValidationFailed(message, details=[{"field": "contactId", "message": message}])
    if channel is Channel.CHAT:
        message = "A web chat is answered by its conversationId"
        raise ValidationFailed(message, details=[{"field": "conversationId", "message": message}])
    contact = await contacts.get_contact(session, workspace_id, contact_id)
    return await conversations.for_contact(session, workspace_id, contact, channel), contact


async def send(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    conversation: Conversation,
    contact: Contact | None,
    draft: Draft,
    *,
    user_id: uuid.UUID | None = None,
) -> tuple[Message, gate.MessageRefused | None]:
    """Records an outbound message and hands it to its provider, or keeps it FAILED with the
    gate's refusal (returned, not raised, so that the FAILED message is committed)."""
    channel = Channel(conversation.channel)
    message = await MessageRepository(session, workspace_id).add(
        Message(
            conversation_id=conversation.id,
            contact_id=contact.id if contact else None,
            user_id=user_id,
            direction=Direction.OUTBOUND.value,
            channel=channel.value,
            content=draft.content,
            subject=draft.subject,
            html=draft.html,
            from_address=draft.sender,
            headers=draft.headers or None,
            status=MessageStatus.QUEUED.value,
        )
    )
    conversations.note_message(conversation, message)
    if channel is Channel.CHAT:  # the visitor reads replies from the chat endpoint
        message.status, message.sent_at = MessageStatus.SENT.value, utcnow()
        await session.flush()
        return message, None
    assert contact is not None  # every conversation but a web chat has its contact
    try:
        message.to_address = await gate.check(
            session, settings, workspace_id, contact, channel, reference_id=message.id
        )
    except gate.MessageRefused as refusal:
        message.status, message.error = MessageStatus.FAILED.value, refusal.message
        await session.flush()
        return message, refusal
    await _timeline(session, message, "sent")
    await _dispatch(session, settings, message)
    return message, None


async def _dispatch(session: AsyncSession, settings: Settings, message: Message) -> None:
    """Sandbox captures are local writes, done now; real providers are called by a task that
    retries with backoff."""
    if settings.delivery_mode == "sandbox":
        await delivery.deliver(session, settings, message)
        return
    await enqueue(
        session,
        delivery.SEND_TASK,
        workspace_id=message.workspace_id,
        workspace=str(message.workspace_id),
        message=str(message.id),
    )


async def receive(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    contact: Contact | None,
    conversation: Conversation,
    inbound: Inbound,
) -> Message:
    """Appends an inbound message to the conversation and the contact's timeline."""
    message = await MessageRepository(session, workspace_id).add(
        Message(
            conversation_id=conversation.id,
            contact_id=contact.id if contact else None,
            direction=Direction.INBOUND.value,
            channel=inbound.channel.value,
            content=inbound.content,
            subject=inbound.subject,
            status=MessageStatus.RECEIVED.value,
            from_address=inbound.from_address,
            to_address=inbound.to_address,
            provider=inbound.provider,
            provider_message_id=inbound.provider_message_id,
        )
    )
    conversations.note_message(conversation, message)
    await session.flush()
    if contact is not None:
        await _timeline(session, message, "received")
        await emit(
            session,
            workspace_id=workspace_id,
            type="message.received",
            data={
                "contact": contact_events.contact_data(contact),
                "message": delivery.message_data(message),
            },
            contact_id=contact.id,
        )
    return message


async def _timeline(session: AsyncSession, message: Message, verb: str) -> None:
    assert message.contact_id is not None
    await interactions.record_interaction(
        session,
        message.workspace_id,
        message.contact_id,
        type=f"{message.channel.lower()}_{verb}",
        subject=message.subject,
        body=message.content,
        occurred_at=message.created_at,
        metadata={"messageId": str(message.id), "conversationId": str(message.conversation_id)},
        user_id=message.user_id,
    )


async def contact_messages(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The contact's newest messages on every channel, as `GET /api/contacts/{id}` shows them."""
    rows = await MessageRepository(session, workspace_id).recent_of_contact(
        contact_id, RECENT_FOR_CONTACT
    )
    return [MessageRead.model_validate(row).model_dump(mode="json", by_alias=True) for row in rows]
