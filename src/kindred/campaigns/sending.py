"""Sending a campaign: freeze the audience, then claim, send and record recipients in batches.

Exactly once: a batch's claim, its messages (and, in sandbox mode, their captures) and the
rows' final statuses commit in ONE transaction. A worker killed anywhere in a batch leaves
its rows PENDING and nothing sent; the next run sends them. A live provider is called by
messaging's delivery task after that commit, with the message id (one per recipient row: a
row leaves PENDING in the transaction that wrote its message) as its idempotency key.

Speed: a batch costs a fixed number of statements (claim, contacts, the bulk send's COPYs,
one UPDATE of the rows joined to their outcomes, one counters update), and LANES batch
chains run at once, each from its own place in the audience; PostgreSQL's SKIP LOCKED claim
keeps them on different rows.

Runs: a campaign going back to SENDING (resumed, sent again after a failure) begins a new run,
named by its sending_since, which every lane job carries; a lane of an earlier run (its batch
under way through a quick pause and resume) ends after that batch, so that LANES chains share
the campaign, never more.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.campaigns import audience, compose
from kindred.campaigns.models import Campaign, CampaignStatus, CampaignType, RecipientStatus
from kindred.campaigns.repository import CampaignRepository, RecipientRepository
from kindred.contacts import stats as contacts
from kindred.core.db import utcnow
from kindred.core.events import emit
from kindred.core.jobs import enqueue_many, waiting_jobs
from kindred.core.templating import TemplateInvalid
from kindred.messaging import bulk
from kindred.messaging.models import Channel
from kindred.settings import Settings

SEND_TASK = "campaigns.send_batch"
ACTIVATION = "activation"  # the send job payload's key naming its lane's run
FREEZE_BATCH = 10_000
SEND_BATCH = 500
LANES = 2  # batch chains per campaign: the workers that can share it
WORKER_LOST = (
    "Sending stopped: the worker stopped during every attempt of a batch; see the server log"
)
CATEGORY_OPT_OUT = "Unsubscribed from this email category"
log = logging.getLogger("kindred.campaigns")


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


def activation_of(campaign: Campaign) -> str:
    """Names the campaign's current sending run by when it began: its start, or its last
    return to SENDING (resumed, or sent again after a failure). A lane's jobs carry it, so
    that a lane of an earlier run can tell that the campaign has stopped and started again
    since its batch began."""
    assert campaign.sending_since is not None, "a campaign sending has started"
    return campaign.sending_since.isoformat()


async def schedule_batch(
    session: AsyncSession,
    campaign: Campaign,
    lanes: int | None = None,
    after: uuid.UUID | None = None,
) -> None:
    """Queues a batch job for each lane (all LANES when starting; `schedule_missing_lanes`
    when sending again): each sends a batch and queues its lane's next, starting after the
    last contact it sent to, so that as many workers as lanes share one campaign."""
    payload = {
        "workspace": str(campaign.workspace_id),
        "campaign": str(campaign.id),
        ACTIVATION: activation_of(campaign),
    }
    if after is not None:
        payload["after"] = str(after)
    await enqueue_many(
        session,
        SEND_TASK,
        [payload] * (LANES if lanes is None else lanes),
        workspace_id=campaign.workspace_id,
    )


async def schedule_missing_lanes(session: AsyncSession, campaign: Campaign) -> None:
    """Begins a new run of a campaign going back to SENDING and queues the lanes it lacks.

    A lane whose next batch job is still queued joins the new run (its job takes the run's
    name, locked meanwhile on PostgreSQL) and carries on by itself once it runs: queuing
    LANES more would leave more chains than LANES sharing the campaign. A lane in the middle
    of a batch (its job taken by a worker) is not counted: it may have read the campaign's
    status before the stop, finish that batch (its rows are claimed: sent once) and queue
    its next, which ends unsent as it belongs to the earlier run; or it read the stop, and
    ends. Either way LANES chains carry on, never more, however quick the pause and resume."""
    campaign.sending_since = utcnow()
    joined = await waiting_jobs(
        session,
        SEND_TASK,
        workspace_id=campaign.workspace_id,
        naming={"campaign": str(campaign.id)},
        amend={ACTIVATION: activation_of(campaign)},
    )
    if joined < LANES:
        await schedule_batch(session, campaign, lanes=LANES - joined)


async def send_batch(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    campaign_id: uuid.UUID,
    after: uuid.UUID | None = None,
    *,
    activation: str | None = None,
    one_by_one: bool = False,
) -> None:
    """Sends the next batch and queues the lane's next. A lane that finds nothing after its
    place looks once more from the start (rows a crashed batch gave back); finding nothing
    there either, it ends, and the lane that finds no row pending at all finishes the
    campaign. `activation`: the run the lane belongs to (`activation_of`). `one_by_one`: see
    `_send_one_by_one`."""
    campaign = await _still_sending(session, workspace_id, campaign_id, activation)
    if campaign is None:
        return
    if one_by_one:
        await _send_one_by_one(session, settings, campaign, after)
    else:
        await _next_batch(session, campaign, after, functools.partial(_send, session, settings))


async def _send_one_by_one(
    session: AsyncSession, settings: Settings, campaign: Campaign, after: uuid.UUID | None
) -> None:
    """A lane's batch failed every attempt (each rolled back whole), so something in it cannot
    be written or sent: a personalised value too long for its column, a bug. Sent again one
    recipient at a time, each in its own savepoint, the rows that still fail end FAILED and
    the rest are sent, and the lane goes on, rather than leaving the campaign SENDING for
    ever. When not one row of the batch can be sent, the fault is the campaign's: it ends
    FAILED, saying why, its unsent rows left PENDING."""
    try:
        async with session.begin_nested():
            send = functools.partial(_send_each_alone, session, settings)
            await _next_batch(session, campaign, after, send)
    except Exception as error:  # the job's give-up hook: it must not raise
        log.exception("campaign %s: a batch cannot be sent", campaign.id)
        cause = error.error if isinstance(error, _NothingSendable) else error
        await session.refresh(campaign)  # the savepoint's rollback expired it
        reason = f"Sending stopped: {unexpected(cause)}"
        await fail(session, campaign, reason, was=CampaignStatus.SENDING)


async def stop_lost_lane(
    session: AsyncSession, workspace_id: uuid.UUID, campaign_id: uuid.UUID, activation: str | None
) -> None:
    """A lane's batch whose worker stopped (killed, out of memory) during every attempt: the
    campaign, if still in that run, ends FAILED saying so, its unsent rows left PENDING for a
    send once the cause is found."""
    campaign = await _still_sending(session, workspace_id, campaign_id, activation)
    if campaign is not None:
        await fail(session, campaign, WORKER_LOST, was=CampaignStatus.SENDING)


async def _still_sending(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    campaign_id: uuid.UUID,
    activation: str | None,
) -> Campaign | None:
    """The campaign, unless deleted, paused or cancelled meanwhile (its rows wait or are
    dropped), or stopped and sending again since the lane's run began (the new run's lanes
    send its rows). A job queued before lanes carried their run (None) goes by the status."""
    campaign = await CampaignRepository(session, workspace_id).get(campaign_id)
    if campaign is None or campaign.status != CampaignStatus.SENDING.value:
        return None
    if activation is not None and datetime.fromisoformat(activation) != campaign.sending_since:
        return None
    return campaign


Sender = Callable[[Campaign, Sequence[uuid.UUID]], Awaitable[list["Outcome"]]]


async def _next_batch(
    session: AsyncSession, campaign: Campaign, after: uuid.UUID | None, send: Sender
) -> None:
    recipients = RecipientRepository(session, campaign.workspace_id)
    claimed = await recipients.claim(campaign.id, SEND_BATCH, after)
    if not claimed and after is not None:
        claimed = await recipients.claim(campaign.id, SEND_BATCH)
    if claimed:
        await record_outcomes(session, campaign, await send(campaign, claimed))
        await schedule_batch(session, campaign, lanes=1, after=claimed[-1])
    elif not await recipients.has_pending(campaign.id):
        await _finish(session, campaign)


def unexpected(error: Exception) -> str:
    """An unexpected error by its kind only (its text may quote SQL and other rows' values;
    the worker log keeps it whole)."""
    kind = type(getattr(error, "orig", None) or error).__name__
    return f"an unexpected error ({kind}); see the server log"


async def fail(
    session: AsyncSession, campaign: Campaign, reason: str, *, was: CampaignStatus
) -> None:
    """The campaign ends FAILED for `reason` if it is still `was`, the status in which its
    caller began the work that failed. Not the status read after that failure: a campaign
    paused, cancelled or sent by hand meanwhile keeps the status it was given."""
    repository = CampaignRepository(session, campaign.workspace_id)
    if await repository.claim_status(campaign.id, was.value, CampaignStatus.FAILED.value):
        campaign.failure_reason = reason
        campaign.completed_at = utcnow()
        await refresh_counters(session, campaign)


@dataclass(frozen=True)
class Outcome:
    """What became of one recipient row in a batch."""

    contact_id: uuid.UUID
    status: RecipientStatus
    reason: str | None = None
    message_id: uuid.UUID | None = None
    to_address: str | None = None

    @classmethod
    def of_message(cls, contact_id: uuid.UUID, sent: bulk.Outcome) -> Outcome:
        """SKIPPED naming the rule when the gate refused the message, else SENT."""
        refusal = sent.refusal
        status, reason = RecipientStatus.SENT, None
        if refusal is not None:
            status, reason = RecipientStatus.SKIPPED, f"{refusal.code}: {refusal.message}"
        return cls(contact_id, status, reason, sent.message_id, sent.to_address)

    def values(self, now: datetime) -> dict[str, Any]:
        sent_at = now if self.status is RecipientStatus.SENT else None
        return {
            "contact_id": self.contact_id, "status": self.status.value, "reason": self.reason,
            "message_id": self.message_id, "to_address": self.to_address, "sent_at": sent_at,
        }  # fmt: skip


async def _send(
    session: AsyncSession, settings: Settings, campaign: Campaign, claimed: Sequence[uuid.UUID]
) -> list[Outcome]:
    """Each claimed contact's outcome: skipped for its category or failed to render here, the
    rest from one bulk send through the gate and provider."""
    people = await contacts.contacts_by_ids(session, campaign.workspace_id, claimed)
    composer = compose.Composer(settings, campaign)
    category = _email_category(campaign)
    outcomes: list[Outcome] = []
    outgoing: list[tuple[uuid.UUID, bulk.Outgoing]] = []
    for contact_id in claimed:
        contact = people.get(contact_id)
        if contact is None:  # deleted since the freeze (its row goes with it)
            continue
        preferences = contact.communication_preferences or {}
        if category and preferences.get(category) is False:
            outcomes.append(Outcome(contact_id, RecipientStatus.SKIPPED, CATEGORY_OPT_OUT))
            continue
        try:
            draft = composer.draft(contact)
        except TemplateInvalid as error:
            outcomes.append(Outcome(contact_id, RecipientStatus.FAILED, error.message))
            continue
        outgoing.append((contact_id, bulk.Outgoing(contact, draft)))
    sent = await bulk.send_many(
        session, settings, campaign.workspace_id, Channel(campaign.type),
        [item for _, item in outgoing], campaign_id=campaign.id,
    )  # fmt: skip
    pairs = zip(outgoing, sent, strict=True)
    return outcomes + [Outcome.of_message(contact_id, result) for (contact_id, _), result in pairs]


def _email_category(campaign: Campaign) -> str | None:
    """The preferences key of the campaign's email category; None for an SMS or WhatsApp
    campaign, whose category (saved before the API refused one) opts nobody out: a
    category's unsubscribe link is in its emails only."""
    if campaign.category_id is None or campaign.type != CampaignType.EMAIL.value:
        return None
    return category_key(campaign.category_id)


class _NothingSendable(Exception):
    """Not one recipient of a batch could be sent on its own."""

    def __init__(self, error: Exception) -> None:
        super().__init__(repr(error))
        self.error = error


async def _send_each_alone(
    session: AsyncSession, settings: Settings, campaign: Campaign, claimed: Sequence[uuid.UUID]
) -> list[Outcome]:
    """`_send` of each recipient in its own savepoint: one that raises ends FAILED."""
    outcomes: list[Outcome] = []
    last_error: Exception | None = None
    for contact_id in claimed:
        try:
            async with session.begin_nested():
                outcomes += await _send(session, settings, campaign, [contact_id])
        except Exception as error:  # isolated to its row, which says so
            log.warning("campaign %s: contact %s not sent: %r", campaign.id, contact_id, error)
            reason = f"Could not be sent: {unexpected(error)}"
            outcomes.append(Outcome(contact_id, RecipientStatus.FAILED, reason))
            last_error = error
    if last_error is not None and all(o.status is RecipientStatus.FAILED for o in outcomes):
        raise _NothingSendable(last_error)
    return outcomes


async def record_outcomes(
    session: AsyncSession, campaign: Campaign, outcomes: Sequence[Outcome]
) -> None:
    """The batch's rows take their outcomes and the campaign's counters grow by them, in the
    transaction that sent the messages."""
    recipients = RecipientRepository(session, campaign.workspace_id)
    now = utcnow()
    await recipients.record(campaign.id, [outcome.values(now) for outcome in outcomes])
    counts = Counter(outcome.status for outcome in outcomes)
    await CampaignRepository(session, campaign.workspace_id).add_to_counters(
        campaign.id,
        sent=counts[RecipientStatus.SENT],
        failed=counts[RecipientStatus.FAILED],
        skipped=counts[RecipientStatus.SKIPPED],
    )


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
    await refresh_counters(session, campaign)  # the batches' increments, made exact once
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
