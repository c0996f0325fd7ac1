"""The send task: one provider call per message, retried with backoff on transient failures."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.jobs import task, task_settings
from kindred.messaging import delivery


@task(delivery.SEND_TASK)
async def send_message(session: AsyncSession, *, workspace: str, message: str) -> None:
    await delivery.deliver_by_id(
        session, task_settings(session), uuid.UUID(workspace), uuid.UUID(message)
    )
