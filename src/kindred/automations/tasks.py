"""The automations consumer of domain events, the run and webhook tasks, the cron scanner."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations import engine, runner, webhook
from kindred.automations.repository import WorkflowRepository
from kindred.core.events import DomainEvent, consumer
from kindred.core.jobs import scanner, task, task_settings


@consumer("automations")
async def start_runs(session: AsyncSession, event: DomainEvent) -> None:
    await engine.on_event(session, event)


async def fail_run(
    session: AsyncSession, error: Exception, *, workspace: str, run: str, step: int | None = None
) -> None:
    await runner.give_up(session, uuid.UUID(workspace), uuid.UUID(run), error, step)


async def fail_delivery(
    session: AsyncSession, error: Exception, *, workspace: str, step: str
) -> None:
    await webhook.give_up(session, uuid.UUID(workspace), uuid.UUID(step), error)


@task(runner.ADVANCE_TASK, on_give_up=fail_run)
async def advance_run(
    session: AsyncSession, *, workspace: str, run: str, step: int | None = None
) -> None:
    settings = task_settings(session)
    await runner.advance(session, settings, uuid.UUID(workspace), uuid.UUID(run), step)


@task(webhook.DELIVER_TASK, max_attempts=3, on_give_up=fail_delivery)
async def deliver_webhook(session: AsyncSession, *, workspace: str, step: str) -> None:
    await webhook.deliver(session, task_settings(session), uuid.UUID(workspace), uuid.UUID(step))


@task(engine.SCHEDULE_TASK)
async def start_scheduled(
    session: AsyncSession,
    *,
    workspace: str,
    workflow: str,
    key: str,
    after: str | None,
    activation: str | None = None,
) -> None:
    workspace_id = uuid.UUID(workspace)
    found = await WorkflowRepository(session, workspace_id, "workflow").get(uuid.UUID(workflow))
    if found is not None:  # deleted since its time came
        start = uuid.UUID(after) if after else None
        await engine.start_scheduled(session, found, key, start, activation)


@scanner("automations.schedule")
async def schedule(session: AsyncSession, now: datetime) -> int:
    return await engine.fire_schedules(session, now)
