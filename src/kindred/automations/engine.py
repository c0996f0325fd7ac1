"""Starting runs: from a domain event (the `automations` consumer) or a cron time.

A run is keyed by (workflow, trigger): the event id, or the cron time (and the contact), so no
trigger starts a workflow twice. A run started by an event that a run at depth `MAX_DEPTH`
caused is recorded STOPPED with the reason instead of executing, naming the workflow whose run
caused the event: that is how a workflow triggering itself, or workflows triggering each other
(A adds X when Y is added, B adds Y when X is added), end. A workflow whose conditions no
longer parse (valid when saved, but a custom field's definition changed since) gets a FAILED
run saying so, and the event still reaches every other workflow.

Order: a contact's events are not guaranteed to reach this consumer in the order they occurred
(a consumer that failed is retried after later events; two dispatchers may hold consecutive
batches). Nothing here depends on it: conditions are judged on the contact as its own event
carries it (after that change), and steps act on the contact as it is when they run.

SCHEDULE: the scheduler tick's scanner (`fire_schedules`) notes each due cron time on its
workflow (`last_fired_at`, so neither a second tick nor a restart fires it again). A workflow
without conditions then runs once, without a contact; one with conditions runs once per
contact they match, started by `automations.start_scheduled` jobs that walk the matching
contacts in id order, `SCHEDULE_BATCH` at a time. Runs and batches belong to the activation
they were started under: once the workflow is set INACTIVE, they do nothing more, even when it
is set ACTIVE again before their job comes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations.models import CausedEvent, RunStatus, Workflow, WorkflowRun
from kindred.automations.repository import RunRepository, ScheduledWorkflows, WorkflowRepository
from kindred.automations.runner import schedule_advance
from kindred.automations.service import due_fire_time
from kindred.automations.triggers import (
    EVENT_TRIGGERS,
    conditions_hold,
    options_match,
    parse_conditions,
)
from kindred.contacts import matching
from kindred.contacts import service as contacts
from kindred.contacts.errors import ContactNotFound
from kindred.contacts.events import contact_data
from kindred.core.db import utcnow
from kindred.core.events import DomainEvent, contact_of
from kindred.core.filters import InvalidFilter
from kindred.core.jobs import enqueue

MAX_DEPTH = 5
SCHEDULE_TASK = "automations.start_scheduled"
SCHEDULE_BATCH = 500


def _context(workflow: Workflow, event: DomainEvent | None) -> dict[str, Any]:
    """What the run keeps of its start: the workflow's actions as they were (a run waiting
    while its workflow is edited finishes the steps it started with, not whichever step of the
    new list has its number), the activation it belongs to and the event's deal."""
    context: dict[str, Any] = {"actions": workflow.actions, "activation": workflow.activation()}
    deal = event.data.get("deal") if event else None
    if isinstance(deal, dict) and deal.get("id"):
        context["dealId"] = deal["id"]
    return context


async def start_run(
    session: AsyncSession,
    workflow: Workflow,
    trigger_key: str,
    *,
    event: DomainEvent | None = None,
    contact_id: uuid.UUID | None = None,
    depth: int = 0,
    ended: tuple[str, str] | None = None,
) -> WorkflowRun | None:
    """Records the run (about the event's contact, else `contact_id`) and schedules its
    execution, or records it `ended` (status, reason) without executing; None when that
    trigger already ran it."""
    run = WorkflowRun(
        workflow_id=workflow.id,
        trigger_key=trigger_key,
        event_type=event.type if event else None,
        contact_id=event.contact_id if event else contact_id,
        context=_context(workflow, event),
        depth=depth,
        status=ended[0] if ended else RunStatus.RUNNING,
        error=ended[1] if ended else None,
        finished_at=utcnow() if ended else None,
    )
    runs = RunRepository(session, workflow.workspace_id)
    if not await runs.start(run):
        return None
    if ended is None:
        await WorkflowRepository(session, workflow.workspace_id, "workflow").count_execution(
            workflow.id
        )
        await schedule_advance(session, run)
    return run


async def _subject(session: AsyncSession, event: DomainEvent) -> dict[str, Any] | None:
    """The contact conditions are evaluated on: the one the event carries, else the one it
    names (a deal's or appointment's event names its contact without carrying it), as it is
    now; None when there is none (or it was deleted since)."""
    carried = contact_of(event.type, event.data)
    if carried is not None or event.contact_id is None:
        return carried
    try:
        return contact_data(
            await contacts.get_contact(session, event.workspace_id, event.contact_id)
        )
    except ContactNotFound:
        return None


async def _answering(session: AsyncSession, event: DomainEvent) -> list[Workflow]:
    """The active workflows on the event's triggers that were active when it occurred: one
    created, or set ACTIVE again, while the event waited in the queue (contacts imported just
    before it, or while it was INACTIVE) does not answer it."""
    triggers = EVENT_TRIGGERS.get(event.type)
    if triggers is None:
        return []
    active = await WorkflowRepository(session, event.workspace_id, "workflow").active_for(triggers)
    return [workflow for workflow in active if workflow.activated_at <= event.occurred_at]


async def on_event(session: AsyncSession, event: DomainEvent) -> None:
    """The consumer: one run per active workflow whose trigger, options and conditions hold."""
    workflows = await _answering(session, event)
    if not workflows:
        return
    cause = await RunRepository(session, event.workspace_id).cause_depth(event.id)
    depth = 0 if cause is None else cause + 1
    looping = await _loop_stopped(session, event) if depth > MAX_DEPTH else None
    conditional = any(workflow.conditions for workflow in workflows)
    contact = await _subject(session, event) if conditional else None
    now = utcnow()
    for workflow in workflows:
        if not options_match(workflow, event.data):
            continue
        try:
            holds = await conditions_hold(session, workflow, contact, now)
        except InvalidFilter as error:
            ended = (RunStatus.FAILED, invalid_conditions(error))
            await start_run(session, workflow, str(event.id), event=event, depth=depth, ended=ended)
            continue
        if holds:
            await start_run(
                session, workflow, str(event.id), event=event, depth=depth, ended=looping
            )


async def _loop_stopped(session: AsyncSession, event: DomainEvent) -> tuple[str, str]:
    """Why a run of an event caused at the depth bound stops: the chain's length and the
    workflow whose run emitted the event (the stopped one itself, or its partner in a loop)."""
    caused = await session.get(CausedEvent, event.id)
    run = await session.get(WorkflowRun, caused.run_id) if caused else None
    workflow = await session.get(Workflow, run.workflow_id) if run else None
    last = f", the last one of workflow {workflow.name!r}" if workflow else ""
    return RunStatus.STOPPED, (
        f"Stopped: this event was caused by a chain of {MAX_DEPTH + 1} automation runs{last}; "
        "the workflow is probably triggering itself, or workflows are triggering each other"
    )


def invalid_conditions(error: InvalidFilter) -> str:
    """Why a run did not start: which of the workflow's conditions no longer parse."""
    problems = "; ".join(f"{item['field']}: {item['message']}" for item in error.details or [])
    return f"Not run: the workflow's conditions are no longer valid ({problems})"


async def fire_schedules(session: AsyncSession, now: datetime) -> int:
    """Fires every SCHEDULE workflow whose cron time has come (missed times once); the number
    fired."""
    fired = 0
    for workflow in await ScheduledWorkflows(session).active():
        fire_at = due_fire_time(workflow, now)
        if fire_at is None:
            continue
        workflow.last_fired_at = fire_at
        key = "schedule:" + fire_at.isoformat()
        if workflow.conditions:
            await _schedule_batch(session, workflow, key, None)
        else:
            await start_run(session, workflow, key)
        fired += 1
    await session.flush()
    return fired


async def _schedule_batch(
    session: AsyncSession, workflow: Workflow, key: str, after: uuid.UUID | None
) -> None:
    await enqueue(
        session,
        SCHEDULE_TASK,
        workspace_id=workflow.workspace_id,
        workspace=str(workflow.workspace_id),
        workflow=str(workflow.id),
        key=key,
        after=str(after) if after else None,
        activation=workflow.activation(),
    )


async def start_scheduled(
    session: AsyncSession,
    workflow: Workflow,
    key: str,
    after: uuid.UUID | None,
    activation: str | None = None,
) -> int:
    """Starts the cron time `key`'s runs for the next batch of contacts the conditions match
    (after `after` in id order) and queues the batch after it; the number started. A batch
    run again starts nothing twice: each run is keyed by the cron time and its contact. A
    batch fired under an earlier `activation` starts nothing: the workflow was set INACTIVE
    since (its cron times from then on are counted from its reactivation)."""
    if workflow.trigger != "SCHEDULE" or not workflow.active_in(activation):  # changed meanwhile
        return 0
    try:
        group = await parse_conditions(
            session, workflow.workspace_id, workflow.match, workflow.conditions
        )
    except InvalidFilter as error:
        await start_run(session, workflow, key, ended=(RunStatus.FAILED, invalid_conditions(error)))
        return 0
    batch = await matching.ids_after(session, workflow.workspace_id, group, after, SCHEDULE_BATCH)
    started = 0
    for contact_id in batch:
        run = await start_run(session, workflow, f"{key}:{contact_id}", contact_id=contact_id)
        started += run is not None
    if len(batch) == SCHEDULE_BATCH:
        await _schedule_batch(session, workflow, key, batch[-1])
    return started
