"""Campaign background work: send batches, previews to addresses, the scheduler's start of due
campaigns, and the delivery events that feed deliveredCount."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.campaigns import preview, sending, service, tracking
from kindred.core.events import DomainEvent, consumer
from kindred.core.jobs import WorkerLost, scanner, task, task_settings


async def _lane(
    session: AsyncSession,
    workspace: str,
    campaign: str,
    after: str | None,
    activation: str | None,
    one_by_one: bool,
) -> None:
    await sending.send_batch(
        session,
        task_settings(session),
        uuid.UUID(workspace),
        uuid.UUID(campaign),
        None if after is None else uuid.UUID(after),
        activation=activation,
        one_by_one=one_by_one,
    )


async def send_one_by_one(
    session: AsyncSession,
    error: Exception,
    *,
    workspace: str,
    campaign: str,
    after: str | None = None,
    activation: str | None = None,
) -> None:
    """The give-up hook of a batch that failed every attempt: sent again one by one, unless
    its worker stopped during the last attempt (a batch that kills its worker would stop this
    process too), when the campaign ends FAILED instead."""
    if isinstance(error, WorkerLost):
        await sending.stop_lost_lane(session, uuid.UUID(workspace), uuid.UUID(campaign), activation)
        return
    await _lane(session, workspace, campaign, after, activation, one_by_one=True)


@task(sending.SEND_TASK, on_give_up=send_one_by_one)
async def send_batch(
    session: AsyncSession,
    *,
    workspace: str,
    campaign: str,
    after: str | None = None,
    activation: str | None = None,
) -> None:
    await _lane(session, workspace, campaign, after, activation, one_by_one=False)


@task(preview.PREVIEW_TASK)
async def send_preview(
    session: AsyncSession, *, workspace: str, campaign: str, outbound: dict[str, Any]
) -> None:
    await preview.deliver(
        session, task_settings(session), uuid.UUID(workspace), uuid.UUID(campaign), outbound
    )


@scanner("campaigns.start_due")
async def start_due(session: AsyncSession, now: datetime) -> int:
    return await service.start_due(session, task_settings(session), now)


@consumer("campaigns.delivery")
async def count_delivered(session: AsyncSession, event: DomainEvent) -> None:
    await tracking.delivered(session, event)
