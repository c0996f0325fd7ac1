"""What recipients do with a campaign message, through its signed links: unsubscribe (the
category's, else email altogether), open (the pixel) and click (the signed redirect); and
what providers report: a campaign message delivered (or read) counts in deliveredCount,
until a later bounce moves it to failedCount."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.campaigns import sending
from kindred.campaigns.errors import InvalidLink
from kindred.campaigns.links import Recipient, Signer
from kindred.campaigns.models import Campaign, CampaignRecipient, RecipientStatus
from kindred.campaigns.repository import AnyCampaigns, CampaignRepository, RecipientRepository
from kindred.contacts import service as contacts
from kindred.contacts.errors import ContactNotFound
from kindred.core.db import utcnow
from kindred.core.events import DomainEvent
from kindred.messaging import consent
from kindred.messaging.models import Channel, MessageStatus
from kindred.settings import Settings

REACHED = {MessageStatus.DELIVERED.value, MessageStatus.READ.value}
GONE = {MessageStatus.FAILED.value, MessageStatus.BOUNCED.value}
COUNTERS = {"opened": "open", "clicked": "click", "unsubscribed": "unsubscribe"}
# Actions stamped and counted only on a SENT row: openRate and clickRate are over sentCount,
# which a FAILED row has left (see `delivered`).
ON_SENT_ONLY = {"opened", "clicked"}


@dataclass(frozen=True)
class Target:
    """The campaign a signed link names, whom it names, and the recipient's row: None for a
    preview's link (the contact may have a row, having received the campaign itself, but what
    they do with a preview counts nowhere) and for a contact the campaign was not sent to."""

    campaign: Campaign
    recipient: Recipient
    row: CampaignRecipient | None

    @property
    def contact_id(self) -> uuid.UUID:
        return self.recipient.contact_id

    @property
    def sample(self) -> bool:
        """A preview to an address that is no contact: there is nobody to unsubscribe."""
        return self.recipient.sample


async def _target(session: AsyncSession, recipient: Recipient) -> Target:
    campaign = await AnyCampaigns(session).get(recipient.campaign_id)
    if campaign is None:
        raise InvalidLink()
    rows = RecipientRepository(session, campaign.workspace_id)
    row = await rows.get(campaign.id, recipient.contact_id) if recipient.counts else None
    return Target(campaign, recipient, row)


async def resolve(session: AsyncSession, settings: Settings, token: str, purpose: str) -> Target:
    return await _target(session, Signer(settings).verify(token, purpose))


async def unsubscribe(session: AsyncSession, settings: Settings, token: str) -> Target:
    """Opts the recipient out of the campaign's category, or of email when it has none (a
    preview's contact too: they asked, though it counts nowhere); 404 when the contact is
    gone. A preview to an address that is no contact changes nothing (`target.sample`): the
    address belongs to nobody the campaign sends to, and may well be the sender's own."""
    target = await resolve(session, settings, token, "unsubscribe")
    if target.sample:
        return target
    campaign, contact_id = target.campaign, target.contact_id
    try:
        contact = await contacts.get_contact(session, campaign.workspace_id, contact_id)
    except ContactNotFound:
        raise InvalidLink() from None
    if campaign.category_id is None:
        await consent.set_channel_allowed(
            session, campaign.workspace_id, contact_id, Channel.EMAIL.value, allowed=False
        )
    else:
        preferences = dict(contact.communication_preferences or {})
        preferences[sending.category_key(campaign.category_id)] = False
        await contacts.update_contact(
            session, campaign.workspace_id, contact_id, {"communication_preferences": preferences}
        )
    await _first(session, target, "unsubscribed")
    return target


async def opened(session: AsyncSession, settings: Settings, token: str) -> None:
    await _first(session, await resolve(session, settings, token, "open"), "opened")


async def clicked(session: AsyncSession, settings: Settings, token: str, url: str) -> str:
    """The URL to redirect to, only if Kindred signed it for this recipient. It is counted
    when the recipient has a row; a preview's link, or one whose campaign was deleted since,
    still goes where it says (the signature, not the row, is what makes it safe)."""
    recipient = Signer(settings).verify(token, "click", url)
    try:
        target = await _target(session, recipient)
    except InvalidLink:
        return url
    await _first(session, target, "clicked", "opened")  # a click proves the open
    return url


async def _first(session: AsyncSession, target: Target, *actions: str) -> None:
    """Stamps each action (`opened` → `opened_at`) the recipient has not done before and
    counts it once on the campaign (`open_count`), whatever the number of repeats, also
    when they come at once (a mail client's proxy fetching every link in parallel)."""
    if target.row is None:
        return
    rows = RecipientRepository(session, target.campaign.workspace_id)
    now, counted = utcnow(), {}
    for action in actions:
        column = f"{action}_at"
        status = RecipientStatus.SENT.value if action in ON_SENT_ONLY else None
        if getattr(target.row, column) is None and await rows.stamp_first(
            target.row, column, now, status=status
        ):
            counted[COUNTERS[action]] = 1
    await CampaignRepository(session, target.campaign.workspace_id).add_to_counters(
        target.campaign.id, **counted
    )


EVENT_KEYS = ("status", "campaignId", "contactId")  # of a message.status_changed event


async def delivered(session: AsyncSession, event: DomainEvent) -> None:
    """A `message.status_changed` of a campaign message updates its row, by precedence:
    FAILED (a bounce, a refusal) outranks DELIVERED, which outranks SENT.

    - DELIVERED or READ stamps a SENT row delivered (deliveredCount + 1), once.
    - FAILED or BOUNCED (a live provider refused it after the batch, or a bounce came after
      the delivery report) turns a SENT row FAILED with the provider's reason and undoes its
      delivery: it leaves sentCount, and deliveredCount if it was counted there, for
      failedCount.
    - Nothing moves a FAILED row back: a delivery report arriving after the bounce (events
      retried out of order) changes nothing, and a repeated report counts once.
    - An open outranks a LATER bounce: a row whose open pixel or a tracked link was followed
      stays SENT (else openRate would count opens of messages no longer counted as sent), as
      messaging refuses a bounce after a provider's READ.
    - A bounce outranks a LATER open or click: on a row already FAILED they are ignored (not
      stamped, not counted in openCount or clickCount), so that openRate and clickRate,
      both over sentCount, count only rows still in it and never exceed 100%
      (`ON_SENT_ONLY`). An unsubscribe still counts: it is no rate over sentCount.

    Messaging already refuses anything after FAILED or BOUNCED; events may still reach this
    consumer out of order (a failed consumer is retried after the later events), hence the
    same precedence here."""
    message = event.data.get("message") if event.type == "message.status_changed" else None
    if not isinstance(message, dict):
        return
    status, campaign_id, contact_id = (message.get(key) for key in EVENT_KEYS)
    if status not in REACHED | GONE:
        return
    if campaign_id is None or contact_id is None:
        return  # not a campaign's message
    rows = RecipientRepository(session, event.workspace_id)
    row = await rows.get(uuid.UUID(campaign_id), uuid.UUID(contact_id))
    if row is None or row.message_id != uuid.UUID(message["id"]):
        return
    campaigns = CampaignRepository(session, event.workspace_id)
    sent = RecipientStatus.SENT.value
    if status in GONE:
        left = await rows.fail_sent(row, message.get("error") or status)
        if left is not None:
            undelivered = -1 if left == "delivered" else 0
            await campaigns.add_to_counters(
                row.campaign_id, sent=-1, failed=1, delivered=undelivered
            )
    elif await rows.stamp_first(row, "delivered_at", utcnow(), status=sent):
        await campaigns.add_to_counters(row.campaign_id, delivered=1)
