"""Executing a run: its steps in order from `next_step`, pausing at WAIT.

The `automations.advance_run` task calls `advance` in one transaction: each action runs in a
savepoint, so a failing step leaves nothing behind but its FAILED record, and the run stops
there: a step refused by a service (a `KindredError`), and a step that raised an unexpected
error (a bug: retrying would only repeat it after undoing the steps before it). Database and
network errors, which a retry may cure, roll the attempt back whole and the job is retried;
when its retries run out, the step such an error interrupted is recorded FAILED (the steps the
attempt had done before it were rolled back with it, and have no record).
WAIT records its step, schedules the same task for later and returns; the task then
continues from the step after it, so a restart loses nothing (the job is a database row).
A workflow set INACTIVE acts no more: its runs that are waiting or not yet executed stop
(STOPPED, saying why) when their job comes, even when it was set ACTIVE again meanwhile (a
run belongs to the activation it started under). So does a run whose contact was deleted
(while it waited, or before it began): it was started for that contact, and its next steps
would act on no one, or send a WEBHOOK or an email about someone who is gone.
WEBHOOK steps are QUEUED here and delivered by their own task (network calls never run inside
the run's transaction).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations import webhook
from kindred.automations.actions import ACTIONS, StepContext, wait_delay
from kindred.automations.causation import causing
from kindred.automations.errors import StepInterrupted, internal_failure, unexpected_failure
from kindred.automations.models import RunStatus, Workflow, WorkflowRun, WorkflowRunStep
from kindred.automations.repository import RunRepository
from kindred.contacts import service as contacts
from kindred.contacts.errors import ContactNotFound
from kindred.core.db import utcnow
from kindred.core.errors import KindredError
from kindred.core.jobs import enqueue
from kindred.settings import Settings

ADVANCE_TASK = "automations.advance_run"
DEACTIVATED = "Stopped: the workflow was deactivated before the run's next step"
CONTACT_DELETED = "Stopped: the run's contact was deleted before its next step"
# Errors a retry of the whole attempt may cure: the database's and the network's.
TRANSIENT = (SQLAlchemyError, OSError)

log = logging.getLogger("kindred.automations")


async def schedule_advance(session: AsyncSession, run: WorkflowRun, **when: Any) -> None:
    """Queues the job that runs the run on from its next step; the job names that step, so a
    second copy of it (a job run again after its lease ran out) finds the run past it and does
    nothing."""
    await enqueue(
        session,
        ADVANCE_TASK,
        workspace_id=run.workspace_id,
        workspace=str(run.workspace_id),
        run=str(run.id),
        step=run.next_step,
        **when,
    )


async def _context(
    session: AsyncSession, settings: Settings, run: WorkflowRun
) -> StepContext | None:
    workflow = await session.get(Workflow, run.workflow_id)
    if workflow is None:
        return None
    contact = None
    if run.contact_id is not None:
        try:
            contact = await contacts.get_contact(session, run.workspace_id, run.contact_id)
        except ContactNotFound:
            contact = None
    return StepContext(session, settings, workflow, run, contact)


def _finish(run: WorkflowRun, status: str, error: str | None = None) -> None:
    run.status, run.error, run.finished_at = status, error, utcnow()


async def _due_run(
    session: AsyncSession, workspace_id: uuid.UUID, run_id: uuid.UUID, step: int | None
) -> WorkflowRun | None:
    """The run, row-locked until the commit, if it is still to be advanced from `step` (jobs
    queued before they named their step: from wherever it is)."""
    run = await RunRepository(session, workspace_id).locked(run_id)
    if run is None or run.status not in (RunStatus.RUNNING, RunStatus.WAITING):
        return None
    return run if step is None or run.next_step == step else None


async def give_up(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    run_id: uuid.UUID,
    error: Exception,
    step: int | None = None,
) -> None:
    """The run's job failed its last attempt with an error no step caught (each attempt was
    rolled back whole, step records included): the run ends FAILED instead of staying RUNNING
    for ever, and the step a `StepInterrupted` names is recorded FAILED with its cause's kind.
    Both are written in the give-up's own transaction, which outlives the attempts."""
    run = await _due_run(session, workspace_id, run_id, step)
    if run is None:
        return
    if not isinstance(error, StepInterrupted):
        _finish(run, RunStatus.FAILED, internal_failure(error))
        return
    failed = WorkflowRunStep(
        run_id=run.id,
        position=error.position,
        type=error.step_type,
        status="FAILED",
        error=internal_failure(error.cause),
        finished_at=utcnow(),
    )
    await RunRepository(session, workspace_id).add_step(failed)
    _finish(run, RunStatus.FAILED, failed.failure())


async def advance(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    run_id: uuid.UUID,
    from_step: int | None = None,
) -> None:
    """Runs the run's steps from `from_step` until a WAIT, a failure or the end. Two copies of
    one job take turns on the run's row lock, and the second finds the run past its step."""
    runs = RunRepository(session, workspace_id)
    run = await _due_run(session, workspace_id, run_id, from_step)
    if run is None:
        return
    context = await _context(session, settings, run)
    if context is None:
        _finish(run, RunStatus.STOPPED, "The workflow was deleted")
        return
    if not context.workflow.active_in(run.context.get("activation")):
        _finish(run, RunStatus.STOPPED, DEACTIVATED)
        return
    if run.contact_id is not None and context.contact is None:
        _finish(run, RunStatus.STOPPED, CONTACT_DELETED)
        return
    run.status = RunStatus.RUNNING
    # runs started before runs kept their actions take the workflow's
    actions = run.context.get("actions", context.workflow.actions)
    while run.next_step < len(actions):
        action = actions[run.next_step]
        step = await runs.add_step(
            WorkflowRunStep(
                run_id=run.id, position=run.next_step, type=action["type"], status="RUNNING"
            )
        )
        run.next_step += 1
        if not await _perform(context, action, step):
            _finish(run, RunStatus.FAILED, step.failure())
            return
        if action["type"] == "WAIT":
            run.status = RunStatus.WAITING
            await schedule_advance(session, run, delay=wait_delay(action.get("config") or {}))
            return
    failed = await runs.failed_step(run.id)  # a WEBHOOK step whose delivery gave up already
    if failed is None:
        _finish(run, RunStatus.COMPLETED)
    else:
        _finish(run, RunStatus.FAILED, failed.failure())


async def _perform(context: StepContext, action: dict[str, Any], step: WorkflowRunStep) -> bool:
    """Runs one step and records its outcome; False when it failed."""
    config: dict[str, Any] = action.get("config") or {}
    position = step.position
    try:
        async with context.session.begin_nested(), causing(context.session, context.run):
            step.output, step.status = await _act(context, action["type"], config, step)
    except KindredError as error:
        step.status, step.error = "FAILED", error.message
    except TRANSIENT as error:
        raise StepInterrupted(position, action["type"], error) from error
    except Exception as error:
        log.exception("step %s of run %s raised", step.position, context.run.id)
        step.status, step.error = "FAILED", unexpected_failure(error)
    step.finished_at = utcnow()
    await context.session.flush()
    return step.status != "FAILED"


async def _act(
    context: StepContext, kind: str, config: dict[str, Any], step: WorkflowRunStep
) -> tuple[dict[str, Any], str]:
    if kind == "WAIT":
        resume = utcnow() + wait_delay(config)
        return {"resumeAt": resume.isoformat().replace("+00:00", "Z")}, "COMPLETED"
    if kind == "WEBHOOK":
        return await webhook.start(context, config, step), "QUEUED"
    return await ACTIONS[kind](context, config), "COMPLETED"
