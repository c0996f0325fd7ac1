"""Campaign operations: CRUD with template validation, send/pause/resume/cancel as guarded
status moves, preview, per-recipient records, the scheduler's start of due campaigns and the
dashboard's campaignsSent."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.analytics.registry import Window, overview_metrics
from kindred.campaigns import audience, compose, sending
from kindred.campaigns import preview as previews
from kindred.campaigns.errors import CampaignStateError
from kindred.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    CampaignType,
    RecipientStatus,
)
from kindred.campaigns.repository import AnyCampaigns, CampaignRepository, RecipientRepository
from kindred.campaigns.schemas import CampaignCreate, CampaignUpdate
from kindred.contacts.fields import saved_filters
from kindred.core.auth import Principal
from kindred.core.db import utcnow
from kindred.core.db.errors import is_transient
from kindred.core.errors import BadRequest, KindredError, ValidationFailed
from kindred.core.schemas import PageParams
from kindred.core.templating import validate
from kindred.segments.service import segment_users
from kindred.settings import Settings

Status = CampaignStatus
# FAILED is not final: its cause fixed, the campaign is sent again (see `send_campaign`).
EDITABLE = {Status.DRAFT.value, Status.SCHEDULED.value, Status.PAUSED.value, Status.FAILED.value}
STARTABLE = {Status.DRAFT.value, Status.SCHEDULED.value}
CANCELLABLE = {Status.DRAFT.value, Status.SCHEDULED.value, Status.SENDING.value,
               Status.PAUSED.value, Status.FAILED.value}  # fmt: skip
# Stopped part-way, its pending recipients waiting (SCHEDULED: rescheduled after it failed):
# a delete cancels it first.
HELD = {Status.PAUSED.value, Status.FAILED.value, Status.SCHEDULED.value}
# Fixed once sending starts: the recipient rows were frozen from them and part were sent.
FIXED_ONCE_STARTED = ("type", "segment_id", "target_tags", "target_tags_match", "filter",
                      "category_id")  # fmt: skip
DUE_PER_TICK = 100
IN_PLAY = {Status.SCHEDULED.value, Status.SENDING.value}
CANCELLED = "The campaign was cancelled before this recipient's turn"
log = logging.getLogger("kindred.campaigns")


async def list_campaigns(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    params: PageParams,
    type_: str | None,
    status: str | None,
) -> tuple[Sequence[Campaign], int]:
    repository = CampaignRepository(session, workspace_id)
    kind = _one_of("type", type_, tuple(CampaignType.__members__)) if type_ else None
    statuses = None if not status else _listed_statuses(status)
    return await repository.page(repository.listed(kind, statuses), params)


def _listed_statuses(status: str) -> set[str]:
    """The statuses `?status=` names: one of ours, or document 000's ACTIVE (a campaign in
    play: scheduled or sending)."""
    wanted = _one_of("status", status, ("ACTIVE", *Status.__members__))
    return IN_PLAY if wanted == "ACTIVE" else {wanted}


def _one_of(field: str, value: str, allowed: tuple[str, ...]) -> str:
    """`value` in capitals if it is one of `allowed` (in any case), else a 400 naming them:
    a misspelt filter must not answer an empty list as if nothing matched."""
    wanted = value.upper()
    if wanted not in allowed:
        message = f"{field} is one of {', '.join(allowed)}"
        raise ValidationFailed(message, details=[{"field": field, "message": message}])
    return wanted


async def get_campaign(
    session: AsyncSession, workspace_id: uuid.UUID, campaign_id: uuid.UUID
) -> Campaign:
    return await CampaignRepository(session, workspace_id).get_or_404(campaign_id)


async def _locked(
    session: AsyncSession, workspace_id: uuid.UUID, campaign_id: uuid.UUID
) -> Campaign:
    """The campaign for a change decided by what it holds (an edit, a delete, a send or
    another status move): its row locked, so that a concurrent one waits and then decides by
    what this one left (the scheduler's tick locks the campaigns it starts: `due`)."""
    return await CampaignRepository(session, workspace_id).locked_or_404(campaign_id)


def _validate_templates(campaign: Campaign) -> None:
    validate(campaign.body, html=campaign.type == CampaignType.EMAIL.value)
    validate(campaign.subject or "")


def _status_for_schedule(campaign: Campaign, values: dict[str, Any]) -> None:
    """A draft or scheduled campaign is SCHEDULED when it has a time; without one it is a
    DRAFT, or, had it started (rescheduled after a failure), PAUSED: held with its pending
    recipients, as resuming or cancelling it expects. A FAILED one given a time to come is
    SCHEDULED again and no longer reads as failed (one sent back with the time it failed at
    stays FAILED: an edit of its content must not send it at once)."""
    if campaign.status in STARTABLE:
        unscheduled = Status.DRAFT if campaign.started_at is None else Status.PAUSED
        campaign.status = (Status.SCHEDULED if campaign.scheduled_at else unscheduled).value
    elif campaign.status == Status.FAILED.value and _to_come(values.get("scheduled_at")):
        campaign.status = Status.SCHEDULED.value
        _no_longer_failed(campaign)


def _to_come(moment: datetime | None) -> bool:
    return moment is not None and moment > utcnow()


async def _apply(session: AsyncSession, campaign: Campaign, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(campaign, key, value.value if key == "type" else value)
    # A started campaign's audience is frozen in its recipient rows and cannot change: its
    # filter is not parsed again (a custom field deleted since would block every edit).
    if campaign.started_at is None:
        await audience.check(session, campaign.workspace_id, campaign.segment_id, campaign.filter)
    _validate_templates(campaign)
    if values.keys() & {"category_id", "type"}:
        _require_email_for_category(campaign)
    _status_for_schedule(campaign, values)


def _require_email_for_category(campaign: Campaign) -> None:
    """An email category (which a contact unsubscribes from through an email's link) belongs
    to email campaigns only: an SMS or WhatsApp campaign has neither the link nor the
    category's opt-outs. Checked on the campaign as the create or update leaves it, so a
    change of type keeping a category is refused too; only when the create or update sets
    either, so that a text campaign saved with a category before this rule (whose opt-outs
    its sends ignore) can still be edited otherwise."""
    if campaign.category_id is not None and campaign.type != CampaignType.EMAIL.value:
        message = f"categoryId applies to EMAIL campaigns only, not {campaign.type}"
        raise ValidationFailed(message, details=[{"field": "categoryId", "message": message}])


async def create_campaign(
    session: AsyncSession, principal: Principal, data: CampaignCreate
) -> Campaign:
    values = data.model_dump(exclude_none=True)
    campaign = Campaign(
        workspace_id=principal.workspace,
        created_by=principal.user.id,
        status=Status.DRAFT.value,
        type=CampaignType.EMAIL.value,
        target_tags=[],
        target_tags_match="any",
        allow_no_unsubscribe=False,
    )
    await _apply(session, campaign, values)
    return await CampaignRepository(session, principal.workspace).add(campaign)


async def update_campaign(
    session: AsyncSession, workspace_id: uuid.UUID, campaign_id: uuid.UUID, data: CampaignUpdate
) -> Campaign:
    campaign = await _locked(session, workspace_id, campaign_id)
    if campaign.status not in EDITABLE:
        raise CampaignStateError(f"A {campaign.status} campaign cannot be edited")
    values = data.model_dump(exclude_unset=True)
    if campaign.started_at is not None:
        _refuse_audience_changes(campaign, values)
    await _apply(session, campaign, values)
    await session.flush()
    return campaign


def _refuse_audience_changes(campaign: Campaign, values: dict[str, Any]) -> None:
    """A paused campaign keeps the type and audience it started with (its content may change);
    the same values sent back unchanged are fine."""
    changed = [
        to_camel(key)
        for key in FIXED_ONCE_STARTED
        if key in values and getattr(values[key], "value", values[key]) != getattr(campaign, key)
    ]
    if changed:
        raise CampaignStateError(
            f"{', '.join(changed)} cannot change once sending has started: the audience was"
            " frozen then; create a new campaign for another audience"
        )


async def delete_campaign(
    session: AsyncSession, workspace_id: uuid.UUID, campaign_id: uuid.UUID
) -> None:
    """Removes a campaign that never sent; one that started sending is hidden instead (and
    cancelled first if paused or failed, exactly as `cancel` does: its pending recipients
    skipped, its completion time and counters set), its recipient rows kept: the unsubscribe
    links of the emails it sent must keep working."""
    campaign = await _locked(session, workspace_id, campaign_id)
    if campaign.status == Status.SENDING.value:
        raise CampaignStateError("A sending campaign cannot be deleted; cancel it first")
    if campaign.started_at is None:
        await CampaignRepository(session, workspace_id).delete(campaign)
        return
    if campaign.status in HELD:
        campaign = await cancel(session, workspace_id, campaign_id)
    campaign.deleted_at = utcnow()
    await session.flush()


def _startable(campaign: Campaign) -> bool:
    """DRAFT or SCHEDULED, or FAILED before it froze a recipient (its scheduled start)."""
    never_started = campaign.status == Status.FAILED.value and campaign.started_at is None
    return campaign.status in STARTABLE or never_started


async def start(session: AsyncSession, campaign: Campaign) -> int:
    """Freezes the audience and queues the first batch; 400 unless `_startable`."""
    repository = CampaignRepository(session, campaign.workspace_id)
    if not _startable(campaign) or not await repository.claim_status(
        campaign.id, campaign.status, Status.SENDING.value
    ):
        raise CampaignStateError(f"A {campaign.status} campaign cannot be sent")
    _sending_now(campaign)
    campaign.started_at = campaign.sending_since = utcnow()
    recipients = await sending.freeze(session, campaign)
    await sending.schedule_batch(session, campaign)
    return recipients


def _sending_now(campaign: Campaign) -> None:
    """A campaign going to SENDING by its send (not a resume) no longer reads as failed, and
    its schedule, if still to come (sent by hand before its time), is spent: kept, a pause and
    resume would hold the campaign SCHEDULED until that time (`_resumed_status`), and a
    failure then a PUT sending it back would schedule it again."""
    _no_longer_failed(campaign)
    if _to_come(campaign.scheduled_at):
        campaign.scheduled_at = None


def _no_longer_failed(campaign: Campaign) -> None:
    """A campaign sent or scheduled again after a failure no longer reads as failed or
    complete."""
    campaign.failure_reason = None
    campaign.completed_at = None


async def send_campaign(
    session: AsyncSession, settings: Settings, workspace_id: uuid.UUID, campaign_id: uuid.UUID
) -> int:
    """Starts the campaign, or sends the rest of one that failed part-way; the number of
    recipients queued."""
    campaign = await _locked(session, workspace_id, campaign_id)
    return await _send(session, settings, campaign)


async def _send(session: AsyncSession, settings: Settings, campaign: Campaign) -> int:
    """Starts the campaign, or sends the rest of one that started before (it failed part-way,
    and may have been rescheduled since); the number of recipients queued."""
    compose.require_absolute_links(settings, campaign)
    if campaign.started_at is None:
        return await start(session, campaign)
    return await _send_the_rest(session, campaign)


async def _send_the_rest(session: AsyncSession, campaign: Campaign) -> int:
    """A campaign that failed part-way, sent again or rescheduled, carries on with its
    audience frozen then: its rows still PENDING are sent, and only they (SENT, FAILED and
    SKIPPED rows are final, so no one gets the message twice); how many they are."""
    again = {Status.FAILED.value, Status.SCHEDULED.value}
    await _claim(session, campaign, again, Status.SENDING, "sent")
    _sending_now(campaign)
    await sending.schedule_missing_lanes(session, campaign)
    pending = RecipientStatus.PENDING.value
    return await RecipientRepository(session, campaign.workspace_id).count(campaign.id, pending)


async def _claim(
    session: AsyncSession, campaign: Campaign, allowed: set[str], new: Status, action: str
) -> None:
    """Moves the campaign to `new` if it is in one of `allowed` (one winner among concurrent
    requests); a 400 otherwise, naming the `action` asked for ("paused"), not the status it
    would have led to (a draft asked to resume "cannot become DRAFT" made no sense)."""
    old = campaign.status
    repository = CampaignRepository(session, campaign.workspace_id)
    if old not in allowed or not await repository.claim_status(campaign.id, old, new.value):
        raise CampaignStateError(f"A {old} campaign cannot be {action}")


async def _move(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    campaign_id: uuid.UUID,
    allowed: set[str],
    new: Status,
    action: str,
) -> Campaign:
    campaign = await _locked(session, workspace_id, campaign_id)
    await _claim(session, campaign, allowed, new, action)
    return campaign


async def pause(session: AsyncSession, workspace_id: uuid.UUID, campaign_id: uuid.UUID) -> Campaign:
    """Holds a sending campaign, or a scheduled one (the scheduler passes it by meanwhile)."""
    pausable = {Status.SCHEDULED.value, Status.SENDING.value}
    return await _move(session, workspace_id, campaign_id, pausable, Status.PAUSED, "paused")


async def resume(
    session: AsyncSession, workspace_id: uuid.UUID, campaign_id: uuid.UUID
) -> Campaign:
    """A paused campaign that had started carries on, unless scheduled for later (rescheduled
    after a failure): it waits for its time then; one paused before starting is scheduled
    again (and starts on the next tick if its time has passed), or a draft if unscheduled
    meanwhile."""
    campaign = await _locked(session, workspace_id, campaign_id)
    target = _resumed_status(campaign)
    await _claim(session, campaign, {Status.PAUSED.value}, target, "resumed")
    if target is Status.SENDING:
        await sending.schedule_missing_lanes(session, campaign)
    return campaign


def _resumed_status(campaign: Campaign) -> Status:
    if campaign.started_at is None:
        return Status.DRAFT if campaign.scheduled_at is None else Status.SCHEDULED
    return Status.SCHEDULED if _to_come(campaign.scheduled_at) else Status.SENDING


async def cancel(
    session: AsyncSession, workspace_id: uuid.UUID, campaign_id: uuid.UUID
) -> Campaign:
    campaign = await _move(
        session, workspace_id, campaign_id, CANCELLABLE, Status.CANCELLED, "cancelled"
    )
    campaign.completed_at = utcnow()
    await RecipientRepository(session, workspace_id).skip_pending(campaign.id, CANCELLED)
    await sending.refresh_counters(session, campaign)
    return campaign


async def preview(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    campaign_id: uuid.UUID,
    email: str,
) -> None:
    """One email to `email` (see campaigns/preview.py); a preview is real and charged."""
    campaign = await get_campaign(session, workspace_id, campaign_id)
    if campaign.type != CampaignType.EMAIL.value:
        raise BadRequest("Only email campaigns have an email preview")
    compose.require_absolute_links(settings, campaign)
    await previews.send(session, settings, campaign, email)


async def recipients_page(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    campaign_id: uuid.UUID,
    params: PageParams,
    status: str | None = None,
) -> tuple[Sequence[CampaignRecipient], int]:
    """A page of the campaign's rows, of `status` if given (in any case, as the campaigns'
    own `?status=`)."""
    wanted = _one_of("status", status, tuple(RecipientStatus.__members__)) if status else None
    await get_campaign(session, workspace_id, campaign_id)
    return await RecipientRepository(session, workspace_id).page(
        campaign_id, params.limit, params.offset, wanted
    )


async def start_due(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """The scheduler tick: every SCHEDULED campaign whose time has come starts sending."""
    due = await AnyCampaigns(session).due(now, DUE_PER_TICK)
    for campaign in due:
        await _start_scheduled(session, settings, campaign)
    return len(due)


async def _start_scheduled(session: AsyncSession, settings: Settings, campaign: Campaign) -> None:
    """Starts one due campaign in its own savepoint. One that can no longer start (its
    audience filter names a field deleted since, say) or whose start hits a bug ends FAILED:
    left SCHEDULED it would fail every tick and, raising, roll back the start of every other
    workspace's campaigns. One paused, cancelled or sent by hand since the tick read it is no
    longer SCHEDULED: its start fails as a lost race and it keeps its new status. One whose
    start meets a transient database error (a deadlock, a lock timeout, a lost connection)
    stays SCHEDULED, its savepoint rolled back: the next tick starts it."""
    campaign_id = campaign.id
    try:
        async with session.begin_nested():
            await _send(session, settings, campaign)
    except KindredError as error:
        log.warning("scheduled campaign %s cannot start: %s", campaign_id, error.message)
        await _scheduled_start_failed(session, campaign, _explained(error))
    except Exception as error:
        if is_transient(error):
            log.warning("scheduled campaign %s left for the next tick: %s", campaign_id, error)
            return
        log.exception("scheduled campaign %s cannot start", campaign_id)  # a bug, isolated
        await _scheduled_start_failed(session, campaign, sending.unexpected(error))


async def _scheduled_start_failed(session: AsyncSession, campaign: Campaign, cause: str) -> None:
    await session.refresh(campaign)  # the savepoint's rollback expired it
    reason = f"The scheduled start failed: {cause}"
    await sending.fail(session, campaign, reason, was=Status.SCHEDULED)


def _explained(error: KindredError) -> str:
    """The error's message and, when it has them, its field-level details."""
    details = error.details if isinstance(error.details, list) else []
    parts = [f"{item['field']}: {item['message']}" for item in details if "field" in item]
    return f"{error.message} ({'; '.join(parts)})" if parts else error.message


@segment_users
async def campaigns_using_segment(
    session: AsyncSession, workspace_id: uuid.UUID, segment_id: uuid.UUID
) -> list[str]:
    """Campaigns yet to start (drafts, scheduled, paused before their time, failed to start),
    whose audience the segment is: deleted, it would leave them with no audience condition at
    all, i.e. every contact of the workspace. A campaign that started froze its recipients
    then and no longer needs it."""
    names = await CampaignRepository(session, workspace_id).names_with_segment(segment_id, EDITABLE)
    return [f'campaign "{name}"' for name in names]


@saved_filters
async def audience_filters(session: AsyncSession, workspace_id: uuid.UUID) -> list[tuple[str, Any]]:
    """The inline audience filters of the campaigns yet to start, which parse it then."""
    rows = await CampaignRepository(session, workspace_id).filters_not_started(EDITABLE)
    return [(f'campaign "{name}"', filter_) for name, filter_ in rows]


@overview_metrics
async def campaign_metrics(
    session: AsyncSession, workspace_id: uuid.UUID, window: Window
) -> dict[str, float]:
    """campaignsSent: the campaigns that finished sending within the window."""
    completed = await CampaignRepository(session, workspace_id).count_completed(
        window.start, window.end
    )
    return {"campaignsSent": completed}
