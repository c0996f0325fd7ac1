"""The send task: one provider call per message, retried with backoff on transient failures."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.jobs import error_text, task, task_settings
from kindred.messaging import delivery


async def fail_message(
    session: AsyncSession, error: Exception, *, workspace: str, message: str
) -> None:
    await delivery.give_up(session, uuid.UUID(workspace), uuid.UUID(message), error_text(error))


@task(delivery.SEND_TASK, on_give_up=fail_message)
async def send_message(session: AsyncSession, *, workspace: str, message: str) -> None:
    await delivery.deliver_by_id(
        session, task_settings(session), uuid.UUID(workspace), uuid.UUID(message)
    )
