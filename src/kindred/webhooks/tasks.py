"""The webhooks consumer of domain events, the delivery task and the retry scanner."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.events import DomainEvent, consumer
from kindred.core.jobs import covered, enqueue, scanner, task, task_settings
from kindred.webhooks import service, worker
from kindred.webhooks.repository import DeliveryQueue


@consumer("webhooks")
async def fan_out(session: AsyncSession, event: DomainEvent) -> None:
    await service.fan_out(session, event)


@task(service.DELIVER_TASK)
async def deliver(session: AsyncSession, *, endpoint: str, due_by: str | None = None) -> None:
    moment = datetime.fromisoformat(due_by) if due_by else None
    endpoint_id = uuid.UUID(endpoint)
    if await worker.deliver_endpoint(session, task_settings(session), endpoint_id, due_by=moment):
        found = await DeliveryQueue(session).endpoint(endpoint_id)
        if found is not None:
            await enqueue(
                session,
                service.DELIVER_TASK,
                workspace_id=found.workspace_id,
                endpoint=endpoint,
                due_by=due_by,
            )


@scanner("webhooks.deliver_due")
async def deliver_due(session: AsyncSession, now: datetime) -> int:
    """Retries come due here: one delivery job per endpoint with something due at `now`,
    unless one is running or due for it already (it sends what is due when it runs), so that
    an endpoint slower than its deliveries come due piles up no jobs."""
    endpoints = await DeliveryQueue(session).due_endpoints(now)
    named = [str(endpoint_id) for _, endpoint_id in endpoints]
    busy = await covered(session, service.DELIVER_TASK, "endpoint", named, now)
    due = [(workspace, endpoint) for workspace, endpoint in endpoints if str(endpoint) not in busy]
    for workspace_id, endpoint_id in due:
        await enqueue(
            session,
            service.DELIVER_TASK,
            workspace_id=workspace_id,
            endpoint=str(endpoint_id),
            due_by=now.isoformat(),
        )
    return len(due)
