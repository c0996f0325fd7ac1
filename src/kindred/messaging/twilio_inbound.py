"""Twilio's inbound SMS/WhatsApp webhook and its status callbacks.

The workspace is found by the receiving `To` number (else the `AccountSid`) before the
signature can be checked, since the key is that workspace's auth token; nothing is stored
until the signature holds (403 otherwise). Each MessageSid is applied once. STOP-type
keywords opt the sender out of the channel, START-type ones back in (the message is kept
either way).
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import ImmutableMultiDict

from kindred.contacts import service as contacts
from kindred.contacts.models import Contact
from kindred.core.errors import BadRequest, Forbidden
from kindred.messaging import accounts, consent, conversations, delivery, provider_events
from kindred.messaging.models import Channel
from kindred.messaging.repository import ProviderMessageLookup
from kindred.messaging.service import Inbound, receive
from kindred.providers import inbound
from kindred.providers.signatures import InvalidWebhookSignature
from kindred.providers.twilio.webhooks import verify_twilio

OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
OPT_IN = {"START", "UNSTOP"}
WHATSAPP_PREFIX = "whatsapp:"
PROVIDER = accounts.PROVIDER
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioSignatureRefused(Forbidden):
    code = "INVALID_SIGNATURE"
    message = "Twilio signature verification failed"


class MissingMessageSid(BadRequest):
    code = "INVALID_PAYLOAD"
    message = "MessageSid is required"


def _unverified(raw: bytes) -> dict[str, str]:
    """The form's fields for routing only (what to verify with), never for acting on."""
    try:
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    except (ValueError, UnicodeDecodeError):
        return {}


async def _verified(
    session: AsyncSession, workspace_id: uuid.UUID, url: str, raw: bytes, signature: str | None
) -> ImmutableMultiDict[str, str]:
    token = await accounts.auth_token(session, workspace_id)
    if not token:
        raise TwilioSignatureRefused()
    try:
        return verify_twilio(url, raw, signature, token)
    except InvalidWebhookSignature as error:
        raise TwilioSignatureRefused() from error


def _number(value: str | None) -> str:
    return (value or "").removeprefix(WHATSAPP_PREFIX)


async def receive_sms(session: AsyncSession, url: str, raw: bytes, signature: str | None) -> None:
    """Applies a genuine inbound message once; raises before storing anything otherwise."""
    routing = _unverified(raw)
    workspace_id = await inbound.resolve_workspace(
        session, PROVIDER, address=_number(routing.get("To")), account=routing.get("AccountSid")
    )
    params = await _verified(session, workspace_id, url, raw, signature)
    sid = params.get("MessageSid") or params.get("SmsSid")
    if not sid:
        raise MissingMessageSid()
    if not await inbound.record_once(
        session, PROVIDER, sid, workspace_id=workspace_id, payload=raw
    ):
        return
    sender = params.get("From", "")
    channel = Channel.WHATSAPP if sender.startswith(WHATSAPP_PREFIX) else Channel.SMS
    contact = await _sender(session, workspace_id, _number(sender))
    conversation = await conversations.for_contact(session, workspace_id, contact, channel)
    body = params.get("Body", "")
    await receive(
        session,
        workspace_id,
        contact,
        conversation,
        Inbound(
            channel=channel,
            content=body,
            from_address=_number(sender),
            to_address=_number(params.get("To")),
            provider=PROVIDER,
            provider_message_id=sid,
        ),
    )
    await _keyword(session, workspace_id, contact, channel, body)


async def _sender(session: AsyncSession, workspace_id: uuid.UUID, phone: str) -> Contact:
    found = await contacts.find_by_phone(session, workspace_id, phone)
    if found is not None:
        return found
    return await contacts.create_contact(
        session, workspace_id, None, {"phone": phone}, source="sms"
    )


async def _keyword(
    session: AsyncSession, workspace_id: uuid.UUID, contact: Contact, channel: Channel, body: str
) -> None:
    keyword = body.strip().upper()
    if keyword in OPT_OUT or keyword in OPT_IN:
        await consent.set_channel_allowed(
            session, workspace_id, contact.id, channel.value, allowed=keyword in OPT_IN
        )


async def status_callback(
    session: AsyncSession, url: str, raw: bytes, signature: str | None
) -> None:
    """Applies a genuine status callback once per (MessageSid, status)."""
    routing = _unverified(raw)
    message = await ProviderMessageLookup(session).by_provider_id(
        PROVIDER, routing.get("MessageSid") or routing.get("SmsSid") or ""
    )
    if message is None:
        raise inbound.InboundWorkspaceNotFound()
    params = await _verified(session, message.workspace_id, url, raw, signature)
    status = params.get("MessageStatus") or params.get("SmsStatus") or ""
    event = provider_events.twilio_status_event(status, params.get("ErrorCode"))
    key = f"{message.provider_message_id}:{status}"
    if event is not None and await inbound.record_once(
        session, "twilio-status", key, workspace_id=message.workspace_id, payload=raw
    ):
        await delivery.apply_event(session, message, event)
