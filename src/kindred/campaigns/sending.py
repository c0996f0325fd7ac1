"""Sending a campaign: freeze the audience, then claim, send and record recipients in batches.

Exactly once: a batch's claim, its messages (and, in sandbox mode, their captures) and the
rows' final statuses commit in ONE transaction. A worker killed anywhere in a batch leaves
its rows PENDING and nothing sent; the next run sends them. A live provider is called by
messaging's delivery task after that commit, with the message id (one per recipient row:
`message_id` is unique) as its idempotency key.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.campaigns import audience, compose
from kindred.campaigns.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus
from kindred.campaigns.repository import CampaignRepository, RecipientRepository
from kindred.contacts import service as contacts
from kindred.core.db import utcnow
from kindred.core.events import emit
from kindred.core.jobs import enqueue
from kindred.core.templating import TemplateInvalid
from kindred.messaging import gate
from kindred.messaging import service as messaging
from kindred.messaging.models import Channel, Message, MessageStatus
from kindred.settings import Settings

SEND_TASK = "campaigns.send_batch"
FREEZE_BATCH = 10_000
SEND_BATCH = 100


def category_key(category_id: uuid.UUID) -> str:
    """The communicationPreferences key of an email category (`{"category:<id>": false}`)."""
    return f"category:{category_id}"


async def freeze(session: AsyncSession, campaign: Campaign) -> int:
    """One recipient row per audience contact, written by the database in batches."""
    where = await audience.where(session, campaign)
    recipients = RecipientRepository(session, campaign.workspace_id)
    last: uuid.UUID | None = None
    while True:
        last = await recipients.freeze_batch(campaign.id, where, last, FREEZE_BATCH)
        if last is None:
            break
    await refresh_counters(session, campaign)
    return campaign.recipients_count


async def schedule_batch(session: AsyncSession, campaign: Campaign) -> None:
    await enqueue(
        session,
        SEND_TASK,
        workspace_id=campaign.workspace_id,
        workspace=str(campaign.workspace_id),
        campaign=str(campaign.id),
    )


async def send_batch(
    session: AsyncSession, settings: Settings, workspace_id: uuid.UUID, campaign_id: uuid.UUID
) -> None:
    """Sends the next batch and queues the one after; the last finds nothing and finishes."""
    campaign = await CampaignRepository(session, workspace_id).get(campaign_id)
    if campaign is None or campaign.status != CampaignStatus.SENDING.value:
        return  # deleted, paused or cancelled meanwhile: the rows wait or are dropped
    recipients = RecipientRepository(session, workspace_id)
    claimed = await recipients.claim(campaign.id, SEND_BATCH)
    for contact_id in claimed:
        row = await recipients.get(campaign.id, contact_id)
        assert row is not None  # claimed in this transaction
        await _send_one(session, settings, campaign, row)
    await refresh_counters(session, campaign)
    if claimed:
        await schedule_batch(session, campaign)
    elif not await recipients.has_pending(campaign.id):
        await _finish(session, campaign)


async def _send_one(
    session: AsyncSession, settings: Settings, campaign: Campaign, row: CampaignRecipient
) -> None:
    contact = await contacts.get_contact(session, campaign.workspace_id, row.contact_id)
    preferences = contact.communication_preferences or {}
    if campaign.category_id and preferences.get(category_key(campaign.category_id)) is False:
        record(row, RecipientStatus.SKIPPED, "Unsubscribed from this email category")
        return
    try:
        draft = compose.draft(settings, campaign, contact)
    except TemplateInvalid as error:
        record(row, RecipientStatus.FAILED, error.message)
        return
    conversation, _ = await messaging.target(
        session,
        campaign.workspace_id,
        contact_id=contact.id,
        conversation_id=None,
        channel=Channel(campaign.type),
    )
    message, refusal = await messaging.send(
        session, settings, campaign.workspace_id, conversation, contact, draft
    )
    record_message(row, message, refusal)


def record_message(
    row: CampaignRecipient, message: Message, refusal: gate.MessageRefused | None
) -> None:
    """The row's outcome from its message: SKIPPED when the gate refused it (the reason names
    the rule), FAILED when the provider did, else SENT."""
    row.message_id, row.to_address = message.id, message.to_address
    if refusal is not None:
        record(row, RecipientStatus.SKIPPED, f"{refusal.code}: {refusal.message}")
    elif message.status == MessageStatus.FAILED.value:
        record(row, RecipientStatus.FAILED, message.error)
    else:
        record(row, RecipientStatus.SENT, None)
        row.sent_at = utcnow()


def record(row: CampaignRecipient, status: RecipientStatus, reason: str | None) -> None:
    row.status, row.reason = status.value, reason


async def refresh_counters(session: AsyncSession, campaign: Campaign) -> None:
    await session.flush()  # the rows' pending changes count too
    tallies = await RecipientRepository(session, campaign.workspace_id).tallies(campaign.id)
    campaign.recipients_count = tallies["recipients"]
    campaign.sent_count = tallies["sent"]
    campaign.failed_count = tallies["failed"]
    campaign.skipped_count = tallies["skipped"]
    campaign.delivered_count = tallies["delivered"]
    campaign.open_count = tallies["opened"]
    campaign.click_count = tallies["clicked"]
    campaign.unsubscribe_count = tallies["unsubscribed"]
    await session.flush()


async def _finish(session: AsyncSession, campaign: Campaign) -> None:
    repository = CampaignRepository(session, campaign.workspace_id)
    sent, sending = CampaignStatus.SENT.value, CampaignStatus.SENDING.value
    if not await repository.claim_status(campaign.id, sending, sent):
        return
    campaign.completed_at = utcnow()
    await session.flush()
    await emit(
        session,
        workspace_id=campaign.workspace_id,
        type="campaign.sent",
        data={
            "campaign": {
                "id": str(campaign.id),
                "name": campaign.name,
                "type": campaign.type,
                "recipients": campaign.recipients_count,
                "sentCount": campaign.sent_count,
                "failedCount": campaign.failed_count,
                "skippedCount": campaign.skipped_count,
            }
        },
    )
