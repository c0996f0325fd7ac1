"""Webhook endpoints (admins only), their deliveries, replays, tests and secret rotation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import utcnow, uuid7
from kindred.core.events import (
    DomainEvent,
    enqueue_once,
    events_since,
    transaction_scratch,
)
from kindred.core.http import GuardedHttpClient, check_url
from kindred.core.schemas import PageParams
from kindred.providers.standard_webhooks import new_secret
from kindred.settings import Settings
from kindred.webhooks import delivery as sending
from kindred.webhooks.filtering import PING, check_events, check_filter, matches
from kindred.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from kindred.webhooks.repository import DeliveryRepository, EndpointRepository

DELIVER_TASK = "webhooks.deliver"
ROTATION_GRACE = timedelta(hours=24)
MAX_REPLAY = 10_000


@dataclass(frozen=True)
class DeliveryView:
    delivery: WebhookDelivery
    attempt_log: Sequence[WebhookAttempt]


async def _checked(
    session: AsyncSession, settings: Settings, workspace_id: uuid.UUID, values: dict[str, Any]
) -> dict[str, Any]:
    if values.get("url") is not None:
        values["url"] = (await check_url(values["url"], settings)).url
    if values.get("events") is not None:
        values["events"] = check_events(values["events"])
    if "filter" in values:
        values["filter"] = await check_filter(session, workspace_id, values["filter"])
    return values


async def create_endpoint(
    session: AsyncSession, settings: Settings, workspace_id: uuid.UUID, fields: dict[str, Any]
) -> WebhookEndpoint:
    values = await _checked(session, settings, workspace_id, dict(fields))
    endpoint = WebhookEndpoint(secret=new_secret(), **values)
    return await EndpointRepository(session, workspace_id).add(endpoint)


async def list_endpoints(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Sequence[WebhookEndpoint]:
    return await EndpointRepository(session, workspace_id).listed()


async def get_endpoint(
    session: AsyncSession, workspace_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    return await EndpointRepository(session, workspace_id).get_or_404(endpoint_id)


async def update_endpoint(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    changes: dict[str, Any],
) -> WebhookEndpoint:
    endpoint = await get_endpoint(session, workspace_id, endpoint_id)
    values = await _checked(
        session,
        settings,
        workspace_id,
        {k: v for k, v in changes.items() if v is not None or k == "filter"},
    )
    for name, value in values.items():
        setattr(endpoint, name, value)
    if values.get("enabled"):
        endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = None
    await session.flush()
    return endpoint


async def delete_endpoint(
    session: AsyncSession, workspace_id: uuid.UUID, endpoint_id: uuid.UUID
) -> None:
    repository = EndpointRepository(session, workspace_id)
    await repository.delete(await repository.get_or_404(endpoint_id))


async def rotate_secret(
    session: AsyncSession, workspace_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """A new secret signs from now on; the old one keeps signing too for 24 hours."""
    endpoint = await get_endpoint(session, workspace_id, endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = utcnow() + ROTATION_GRACE
    endpoint.secret = new_secret()
    await session.flush()
    return endpoint


async def list_deliveries(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    filters: tuple[str | None, str | None],
    params: PageParams,
) -> tuple[list[DeliveryView], int]:
    await get_endpoint(session, workspace_id, endpoint_id)
    repository = DeliveryRepository(session, workspace_id)
    status, event_type = filters
    rows, total = await repository.listed(endpoint_id, status, event_type, params)
    attempts = await repository.attempts_of([row.id for row in rows])
    return [DeliveryView(row, attempts[row.id]) for row in rows], total


async def queue_delivery(
    session: AsyncSession, endpoint: WebhookEndpoint, event: DomainEvent | WebhookDelivery
) -> WebhookDelivery:
    """A pending delivery of an event (or a copy of an earlier delivery), sent by a job."""
    source: tuple[uuid.UUID, str, uuid.UUID | None, uuid.UUID | None]
    if isinstance(event, DomainEvent):
        body = sending.encode_body(event.type, event.occurred_at, event.data)
        source = (event.id, event.type, event.contact_id, None)
    else:
        body, source = event.body, (event.event_id, event.event_type, event.contact_id, event.id)
    event_id, event_type, contact_id, replay_of = source
    delivery = WebhookDelivery(
        workspace_id=endpoint.workspace_id,
        endpoint_id=endpoint.id,
        event_id=event_id,
        event_type=event_type,
        contact_id=contact_id,
        body=body,
        replay_of=replay_of,
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    workspace_id, endpoint_id = endpoint.workspace_id, endpoint.id
    await enqueue_once(
        session, DELIVER_TASK, endpoint_id, workspace_id=workspace_id, endpoint=str(endpoint_id)
    )
    return delivery


async def _enabled_endpoints(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Sequence[WebhookEndpoint]:
    """Read once per transaction: the dispatcher fans out a batch of events in one."""
    scratch = transaction_scratch(session)
    key = ("webhooks.enabled_endpoints", workspace_id)
    if key not in scratch:
        scratch[key] = await EndpointRepository(session, workspace_id).enabled()
    endpoints: Sequence[WebhookEndpoint] = scratch[key]
    return endpoints


async def fan_out(session: AsyncSession, event: DomainEvent) -> int:
    """One delivery per enabled endpoint of the workspace that wants this event (unflushed:
    the dispatcher flushes a batch's deliveries together)."""
    now = utcnow()
    endpoints = await _enabled_endpoints(session, event.workspace_id)
    wanted = [item for item in endpoints if await matches(session, item, event, now)]
    for endpoint in wanted:
        await queue_delivery(session, endpoint, event)
    return len(wanted)


async def replay_delivery(
    session: AsyncSession, workspace_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryView:
    original = await DeliveryRepository(session, workspace_id).get_or_404(delivery_id)
    endpoint = await get_endpoint(session, workspace_id, original.endpoint_id)
    copy = await queue_delivery(session, endpoint, original)
    await session.flush()
    return DeliveryView(copy, [])


async def replay_since(
    session: AsyncSession, workspace_id: uuid.UUID, endpoint_id: uuid.UUID, since: datetime
) -> int:
    """Queues again every event since `since` that the endpoint wants now (10,000 at most)."""
    endpoint = await get_endpoint(session, workspace_id, endpoint_id)
    types = None if "*" in endpoint.events else list(endpoint.events)
    events = await events_since(session, workspace_id, since, types=types, limit=MAX_REPLAY)
    now = utcnow()
    wanted = [event for event in events if await matches(session, endpoint, event, now)]
    for event in wanted:
        await queue_delivery(session, endpoint, event)
    await session.flush()
    return len(wanted)


async def send_ping(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    endpoint_id: uuid.UUID,
) -> DeliveryView:
    """Sends a `ping` now (one attempt, no retries) and records it like any delivery."""
    endpoint = await get_endpoint(session, workspace_id, endpoint_id)
    now = utcnow()
    data = {"message": "Test delivery from Kindred", "endpointId": str(endpoint.id)}
    delivery = WebhookDelivery(
        workspace_id=workspace_id,
        endpoint_id=endpoint.id,
        event_id=uuid7(),
        event_type=PING,
        body=sending.encode_body(PING, now, data),
        attempts=0,
    )
    async with GuardedHttpClient(settings, transport=sending.pooled_transport()) as client:
        outcome = await sending.send(
            client, endpoint.url, delivery, sending.signing_secrets(endpoint, now)
        )
    await DeliveryRepository(session, workspace_id).add(delivery)
    attempt = sending.record(delivery, outcome, now, final=True)
    session.add(attempt)
    await session.flush()
    return DeliveryView(delivery, [attempt])
