"""A campaign's preview: one email to a given address, before (or beside) the send.

An address that is a contact's gets the email as that contact would, as a message on their
timeline, through the gate with their consent. Any other address (the sender's own inbox, a
colleague's) gets it personalised with no contact fields (the templates' defaults show),
through the gate's banlist and credits, but without a CRM message: there is no contact to
file one under. It is captured at once in sandbox mode, else handed to the email provider by
a task (the preview id is its idempotency key). Its links work; it counts in no figure.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.campaigns import compose
from kindred.campaigns.links import NO_CONTACT
from kindred.campaigns.models import Campaign
from kindred.contacts import service as contacts
from kindred.contacts.models import Contact
from kindred.contacts.values import normalise_email
from kindred.core.db import uuid7
from kindred.core.errors import BadRequest
from kindred.core.jobs import enqueue
from kindred.messaging import gate, sandbox
from kindred.messaging import service as messaging
from kindred.messaging.models import Channel
from kindred.providers import registry
from kindred.providers.base import OutboundMessage
from kindred.settings import Settings

PREVIEW_TASK = "campaigns.send_preview"


async def send(session: AsyncSession, settings: Settings, campaign: Campaign, email: str) -> None:
    address = normalise_email(email)
    if address is None:
        raise BadRequest("A preview needs an email address")
    contact = await contacts.find_by_email(session, campaign.workspace_id, address)
    if contact is None:
        await _to_address(session, settings, campaign, address)
        return
    conversation, target = await messaging.target(
        session,
        campaign.workspace_id,
        contact_id=contact.id,
        conversation_id=None,
        channel=Channel.EMAIL,
    )
    draft = compose.draft(settings, campaign, contact, preview=True)
    _, refusal = await messaging.send(
        session, settings, campaign.workspace_id, conversation, target, draft
    )
    if refusal is not None:
        raise _refused(refusal)


async def _to_address(
    session: AsyncSession, settings: Settings, campaign: Campaign, email: str
) -> None:
    sample = Contact(
        id=NO_CONTACT, workspace_id=campaign.workspace_id, email=email, phone=None,
        custom_fields={}, communication_preferences={}, globally_unsubscribed=False,
    )  # fmt: skip
    draft = compose.draft(settings, campaign, sample, preview=True)
    preview_id = uuid7()
    try:
        to = await gate.check(
            session, settings, campaign.workspace_id, sample, Channel.EMAIL, reference_id=preview_id
        )
    except gate.MessageRefused as refusal:
        raise _refused(refusal) from None
    outbound = {
        "id": str(preview_id), "to": to, "body": draft.content, "sender": draft.sender,
        "subject": draft.subject, "html": draft.html, "headers": draft.headers or {},
    }  # fmt: skip
    if settings.delivery_mode == "sandbox":
        await deliver(session, settings, campaign.workspace_id, campaign.id, outbound)
        return
    await enqueue(
        session,
        PREVIEW_TASK,
        workspace_id=campaign.workspace_id,
        workspace=str(campaign.workspace_id),
        campaign=str(campaign.id),
        outbound=outbound,
    )


async def deliver(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    campaign_id: uuid.UUID,
    outbound: dict[str, Any],
) -> None:
    """Hands a preview to the email provider (the sandbox captures it under the campaign)."""

    async def capture(channel: str, message: OutboundMessage) -> str:
        row = {"id": uuid7(), **sandbox.captured(None, channel, message.to, message)}
        await sandbox.capture_many(session, workspace_id, [row], campaign_id)
        return str(row["id"])

    async with registry.http_client(settings) as client:
        provider = registry.email_provider(settings, capture, client)
        await provider.send_email(OutboundMessage(**outbound))


def _refused(refusal: gate.MessageRefused) -> BadRequest:
    return BadRequest(f"The preview was refused: {refusal.message}")
