"""Twilio's inbound SMS/WhatsApp webhook and its status callbacks.

The workspace is found by the receiving `To` number (else the `AccountSid`) before the
signature can be checked, since the key is that workspace's auth token; nothing is stored
until the signature holds (403 otherwise). Each MessageSid is applied once. Twilio's
opt-out keywords (STOP...) opt the sender out of the channel, its opt-in ones (START...) back
in: a body that is the keyword alone, in any case, with surrounding whitespace and
punctuation ("Stop.", " stop! "), as Twilio matches them. The message is kept either way, and
the consent changes first, so that `message.received` carries the contact as it now is.
"""

from __future__ import annotations

import re
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
from kindred.providers.twilio.client import WHATSAPP_PREFIX
from kindred.providers.twilio.webhooks import verify_twilio

OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN = {"START", "UNSTOP"}
TRIMMED = re.compile(r"^[\W_]+|[\W_]+$")
PROVIDER = accounts.PROVIDER
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioSignatureRefused(Forbidden):
    code = "INVALID_SIGNATURE"
    message = "Twilio signature verification failed"


class InvalidForm(BadRequest):
    code = "INVALID_PAYLOAD"
    message = "Invalid Twilio form body"


def _unverified(raw: bytes) -> dict[str, str]:
    """The form's fields for routing only (what to verify with), never for acting on. A NUL
    anywhere is refused before any query: PostgreSQL cannot compare it, nor store it later."""
    try:
        pairs = parse_qsl(raw.decode(), keep_blank_values=True)
    except (ValueError, UnicodeDecodeError):
        return {}
    # Every pair, a repeated field's first too: that one is what the verified form reads.
    if any("\x00" in name + value for name, value in pairs):
        raise InvalidForm("NUL characters are not allowed")
    return dict(pairs)


def _required(params: ImmutableMultiDict[str, str], *names: str) -> str:
    """The first of `names` the verified form carries (a 400 naming it when none does)."""
    for name in names:
        if params.get(name):
            return params[name]
    raise InvalidForm(f"{names[0]} is required")


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
    sid = _required(params, "MessageSid", "SmsSid")
    sender = _required(params, "From")
    if not await inbound.record_once(
        session, PROVIDER, sid, workspace_id=workspace_id, payload=raw
    ):
        return
    channel = Channel.WHATSAPP if sender.startswith(WHATSAPP_PREFIX) else Channel.SMS
    body = params.get("Body", "")
    contact = await _sender(session, workspace_id, _number(sender))
    contact = await _keyword(session, workspace_id, contact, channel, body)
    conversation = await conversations.for_contact(session, workspace_id, contact, channel)
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


async def _sender(session: AsyncSession, workspace_id: uuid.UUID, phone: str) -> Contact:
    found = await contacts.find_by_phone(session, workspace_id, phone)
    if found is not None:
        return found
    return await contacts.create_contact(
        session, workspace_id, None, {"phone": phone}, source="sms"
    )


def _keyword_of(body: str) -> str:
    """The body as a keyword: trimmed of whitespace, punctuation and symbols, upper case."""
    return TRIMMED.sub("", body).upper()


async def _keyword(
    session: AsyncSession, workspace_id: uuid.UUID, contact: Contact, channel: Channel, body: str
) -> Contact:
    """The sender after the body's opt-out or opt-in keyword, if it is one. It holds for
    every contact with the sender's number: the person at that number said it, and a STOP
    must not leave a duplicate contact of theirs receiving messages."""
    keyword = _keyword_of(body)
    if keyword not in OPT_OUT and keyword not in OPT_IN:
        return contact
    allowed = keyword in OPT_IN
    for other in await contacts.ids_with_phone(session, workspace_id, contact.phone or ""):
        if other != contact.id:
            await consent.set_channel_allowed(
                session, workspace_id, other, channel.value, allowed=allowed
            )
    return await consent.set_channel_allowed(
        session, workspace_id, contact.id, channel.value, allowed=allowed
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
