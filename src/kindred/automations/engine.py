"""Starting runs: from a domain event (the `automations` consumer) or a cron time.

A run is keyed by (workflow, trigger): the event id or the cron time, so no trigger starts a
workflow twice. A run started by an event that a run at depth `MAX_DEPTH` caused is recorded
STOPPED with the reason instead of executing: that is how a self-triggering workflow ends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations.models import Workflow, WorkflowRun
from kindred.automations.repository import RunRepository, ScheduledWorkflows, WorkflowRepository
from kindred.automations.runner import RunStatus, schedule_advance
from kindred.automations.service import due_fire_time
from kindred.automations.triggers import EVENT_TRIGGERS, conditions_hold, options_match
from kindred.core.db import utcnow
from kindred.core.events import DomainEvent, contact_of

MAX_DEPTH = 5
LOOP_STOPPED = (
    f"Stopped: this event was caused by a chain of {MAX_DEPTH} automation runs; "
    "the workflow is probably triggering itself"
)


def _context(data: dict[str, Any]) -> dict[str, Any]:
    deal = data.get("deal")
    return {"dealId": deal["id"]} if isinstance(deal, dict) and deal.get("id") else {}


async def start_run(
    session: AsyncSession,
    workflow: Workflow,
    trigger_key: str,
    *,
    event: DomainEvent | None = None,
    depth: int = 0,
) -> WorkflowRun | None:
    """Records the run and schedules its execution; None when that trigger already ran it."""
    stopped = depth > MAX_DEPTH
    run = WorkflowRun(
        workflow_id=workflow.id,
        trigger_key=trigger_key,
        event_type=event.type if event else None,
        contact_id=event.contact_id if event else None,
        context=_context(event.data) if event else {},
        depth=depth,
        status=RunStatus.STOPPED if stopped else RunStatus.RUNNING,
        error=LOOP_STOPPED if stopped else None,
        finished_at=utcnow() if stopped else None,
    )
    runs = RunRepository(session, workflow.workspace_id)
    if not await runs.start(run):
        return None
    if not stopped:
        await WorkflowRepository(session, workflow.workspace_id, "workflow").count_execution(
            workflow.id
        )
        await schedule_advance(session, run)
    return run


async def on_event(session: AsyncSession, event: DomainEvent) -> None:
    """The consumer: one run per active workflow whose trigger, options and conditions hold."""
    trigger = EVENT_TRIGGERS.get(event.type)
    if trigger is None:
        return
    workflows = await WorkflowRepository(session, event.workspace_id, "workflow").active_for(
        [trigger]
    )
    if not workflows:
        return
    cause = await RunRepository(session, event.workspace_id).cause_depth(event.id)
    depth = 0 if cause is None else cause + 1
    contact = contact_of(event.type, event.data)
    now = utcnow()
    for workflow in workflows:
        if options_match(workflow, event.data) and await conditions_hold(
            session, workflow, contact, now
        ):
            await start_run(session, workflow, str(event.id), event=event, depth=depth)


async def fire_schedules(session: AsyncSession, now: datetime) -> int:
    """Starts a run of every SCHEDULE workflow whose cron time has come (missed times once)."""
    started = 0
    for workflow in await ScheduledWorkflows(session).active():
        fire_at = due_fire_time(workflow, now)
        if fire_at is None:
            continue
        workflow.last_fired_at = fire_at
        key = "schedule:" + fire_at.isoformat()
        started += await start_run(session, workflow, key) is not None
    await session.flush()
    return started
