"""Handing a message to its provider, once, and applying what the provider reports back.

`deliver` sends a QUEUED message only (a message already SENT, or FAILED, is never sent
again), with the message id as the provider's idempotency key. `apply_event` is the one path
for delivery events, whether a provider webhook (Twilio status callback, MailerSend) or the
sandbox's simulation reports them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.banlist import service as banlist
from kindred.contacts import events as contact_events
from kindred.contacts import service as contacts
from kindred.core.db import utcnow
from kindred.core.events import emit
from kindred.messaging import accounts, consent, sandbox
from kindred.messaging.models import Channel, Message, MessageStatus
from kindred.messaging.repository import MessageRepository, ProviderMessageLookup
from kindred.providers import registry
from kindred.providers.base import Accepted, OutboundMessage, ProviderRejected
from kindred.providers.twilio.client import WHATSAPP_PREFIX
from kindred.settings import Settings

SEND_TASK = "messaging.send_message"
# How far along a message is; a late or repeated event never moves it back.
PROGRESS = {
    MessageStatus.QUEUED.value: 0,
    MessageStatus.SENT.value: 1,
    MessageStatus.DELIVERED.value: 2,
    MessageStatus.READ.value: 3,
}
FINAL = {MessageStatus.FAILED.value, MessageStatus.BOUNCED.value}


@dataclass(frozen=True)
class DeliveryEvent:
    """A provider's report, in Kindred's terms: the status it implies (None: no change) and
    what it says about the recipient's address."""

    name: str
    status: MessageStatus | None
    reason: str | None = None
    undeliverable: bool = False
    unsubscribed: bool = False


async def deliver_by_id(
    session: AsyncSession, settings: Settings, workspace_id: uuid.UUID, message_id: uuid.UUID
) -> None:
    message = await MessageRepository(session, workspace_id).get(message_id)
    if message is not None:
        await deliver(session, settings, message)


async def deliver(session: AsyncSession, settings: Settings, message: Message) -> None:
    """Sends a QUEUED message; a refusal makes it FAILED with the provider's reason, a transient
    failure (ProviderUnavailable) propagates so that the task retries."""
    if message.status != MessageStatus.QUEUED.value or message.to_address is None:
        return
    outbound = OutboundMessage(
        id=str(message.id),
        to=_provider_address(message),
        body=message.content,
        sender=message.from_address,
        subject=message.subject,
        html=message.html,
        status_callback=_status_callback(settings, message),
        headers=message.headers or {},
    )
    try:
        accepted, provider = await _send(session, settings, message, outbound)
    except ProviderRejected as refusal:
        await _change(session, message, MessageStatus.FAILED, refusal.reason)
        return
    message.status, message.sent_at = MessageStatus.SENT.value, utcnow()
    message.provider, message.provider_message_id = provider, accepted.provider_message_id
    await session.flush()


async def give_up(
    session: AsyncSession, workspace_id: uuid.UUID, message_id: uuid.UUID, error: str
) -> None:
    """After the last retry, a message still QUEUED has failed: say so, with the last error."""
    message = await MessageRepository(session, workspace_id).get(message_id)
    if message is not None and message.status == MessageStatus.QUEUED.value:
        await _change(session, message, MessageStatus.FAILED, f"Provider unavailable: {error}")


def _provider_address(message: Message) -> str:
    assert message.to_address is not None
    if message.channel == Channel.WHATSAPP.value:
        return f"{WHATSAPP_PREFIX}{message.to_address}"
    return message.to_address


def _status_callback(settings: Settings, message: Message) -> str | None:
    if message.channel == Channel.EMAIL.value or not settings.public_base_url:
        return None
    return f"{settings.public_base_url.rstrip('/')}/api/twilio/status-callback"


async def _send(
    session: AsyncSession, settings: Settings, message: Message, outbound: OutboundMessage
) -> tuple[Accepted, str]:
    capture = sandbox.capture_for(session, message)
    async with registry.http_client(settings) as client:
        if message.channel == Channel.EMAIL.value:
            email = registry.email_provider(settings, capture, client)
            return await email.send_email(outbound), email.name
        credentials = await accounts.twilio_credentials(session, message.workspace_id)
        sms = registry.sms_provider(settings, message.channel, capture, credentials, client)
        return await sms.send_sms(outbound), sms.name


def message_data(message: Message) -> dict[str, str | None]:
    """The message as events carry it."""
    return {
        "id": str(message.id),
        "conversationId": _id_text(message.conversation_id),  # None for a campaign's
        "contactId": _id_text(message.contact_id),
        "campaignId": _id_text(message.campaign_id),
        "channel": message.channel,
        "direction": message.direction,
        "status": message.status,
        "content": message.content,
        "error": message.error,
    }


def _id_text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


async def apply_event(session: AsyncSession, message: Message, event: DeliveryEvent) -> None:
    """Moves the message's status forward (never back) and acts on what the event says about
    the address: a hard bounce or complaint bans it, an unsubscribe opts the contact out."""
    if event.undeliverable and message.to_address:
        email = message.to_address if message.channel == Channel.EMAIL.value else None
        phone = None if email else message.to_address
        await banlist.ban(
            session,
            message.workspace_id,
            email=email,
            phone=phone,
            reason=event.reason or event.name,
        )
    if event.unsubscribed and message.contact_id:
        await consent.set_channel_allowed(
            session, message.workspace_id, message.contact_id, message.channel, allowed=False
        )
    if event.status is not None and _advances(message.status, event.status.value):
        await _change(session, message, event.status, event.reason)


def _advances(current: str, new: str) -> bool:
    if current in FINAL or current == new:
        return False
    if new in FINAL:
        return current != MessageStatus.READ.value
    return PROGRESS.get(new, -1) > PROGRESS.get(current, -1)


async def _change(
    session: AsyncSession, message: Message, status: MessageStatus, reason: str | None
) -> None:
    message.status = status.value
    now = utcnow()
    if status is MessageStatus.DELIVERED:
        message.delivered_at = now
    elif status is MessageStatus.READ:
        message.read_at = now
        message.delivered_at = message.delivered_at or now
    elif status in (MessageStatus.FAILED, MessageStatus.BOUNCED):
        message.error = reason
    await session.flush()
    if message.contact_id is None:
        return
    contact = await contacts.get_contact(session, message.workspace_id, message.contact_id)
    await emit(
        session,
        workspace_id=message.workspace_id,
        type="message.status_changed",
        data={"contact": contact_events.contact_data(contact), "message": message_data(message)},
        contact_id=contact.id,
    )


async def apply_provider_event(
    session: AsyncSession, provider: str, provider_message_id: str, event: DeliveryEvent
) -> Message | None:
    """Applies a provider's event to the message it names; None when no message has that id."""
    message = await ProviderMessageLookup(session).by_provider_id(provider, provider_message_id)
    if message is not None:
        await apply_event(session, message, event)
    return message
