"""The delivery loop of the `webhooks.deliver` task: claim, send outside any transaction, record.

Claims are leases committed before the requests go out, so a slow receiver holds no lock and a
worker killed mid-request leaves deliveries that the next claim (after the lease) sends again.
This module commits: it is the body of a task, which owns its session.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import utcnow
from kindred.core.http import GuardedHttpClient
from kindred.settings import Settings
from kindred.webhooks import delivery as sending
from kindred.webhooks.repository import DeliveryQueue

BATCH = sending.CONCURRENCY
MAX_ROUNDS = 50
LEASE = timedelta(minutes=2)


async def deliver_endpoint(
    session: AsyncSession,
    settings: Settings,
    endpoint_id: uuid.UUID,
    *,
    due_by: datetime | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> bool:
    """Sends what is due for one endpoint (as of `due_by` when later than now), MAX_ROUNDS
    batches at most; True when it stopped at that cap with more perhaps due (the task then
    enqueues a follow-up, so that a busy endpoint neither holds a worker nor waits a tick)."""
    async with GuardedHttpClient(
        settings, transport=transport or sending.pooled_transport()
    ) as client:
        for _round in range(MAX_ROUNDS):
            now = max(utcnow(), due_by) if due_by else utcnow()
            if await _round_trip(session, client, endpoint_id, now) == 0:
                return False
    return True


async def _round_trip(
    session: AsyncSession, client: GuardedHttpClient, endpoint_id: uuid.UUID, now: datetime
) -> int:
    queue = DeliveryQueue(session)
    endpoint = await queue.endpoint(endpoint_id)
    if endpoint is None or not endpoint.enabled:
        return 0
    batch = list(await queue.claim(endpoint_id, now, LEASE, BATCH))
    url, secrets = endpoint.url, sending.signing_secrets(endpoint, now)
    await session.commit()
    if not batch:
        return 0
    outcomes = await sending.send_all(client, url, batch, secrets)
    endpoint = await queue.endpoint(endpoint_id)
    for item, outcome in zip(batch, outcomes, strict=True):
        session.add(sending.record(item, outcome, now))
        if endpoint is not None:
            sending.track_health(endpoint, outcome, now)
    await session.commit()
    return len(batch)
