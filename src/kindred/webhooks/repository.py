"""Every query on webhook endpoints, deliveries and attempts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from kindred.core.db.dialect import among
from kindred.core.repository import Repository, WorkspaceRepository
from kindred.core.schemas import PageParams
from kindred.webhooks.errors import WebhookDeliveryNotFound, WebhookEndpointNotFound
from kindred.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class EndpointRepository(WorkspaceRepository[WebhookEndpoint]):
    model = WebhookEndpoint
    not_found = WebhookEndpointNotFound

    async def listed(self) -> Sequence[WebhookEndpoint]:
        return await self.all(self.base().order_by(WebhookEndpoint.created_at))

    async def enabled(self) -> Sequence[WebhookEndpoint]:
        return await self.all(self.base().where(WebhookEndpoint.enabled.is_(True)))


class DeliveryRepository(WorkspaceRepository[WebhookDelivery]):
    model = WebhookDelivery
    not_found = WebhookDeliveryNotFound

    def of_endpoint(
        self, endpoint_id: uuid.UUID, status: str | None, event_type: str | None
    ) -> Select[WebhookDelivery]:
        stmt = self.base().where(WebhookDelivery.endpoint_id == endpoint_id)
        if status:
            stmt = stmt.where(WebhookDelivery.status == status)
        if event_type:
            stmt = stmt.where(WebhookDelivery.event_type == event_type)
        return stmt.order_by(WebhookDelivery.id.desc())

    async def listed(
        self, endpoint_id: uuid.UUID, status: str | None, event_type: str | None, params: PageParams
    ) -> tuple[Sequence[WebhookDelivery], int]:
        return await self.page(self.of_endpoint(endpoint_id, status, event_type), params)

    async def attempts_of(
        self, delivery_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[WebhookAttempt]]:
        rows = await self.session.scalars(
            select(WebhookAttempt)
            .where(
                WebhookAttempt.workspace_id == self.workspace_id,
                among(self.session, WebhookAttempt.delivery_id, delivery_ids),
            )
            .order_by(WebhookAttempt.attempted_at)
        )
        found: dict[uuid.UUID, list[WebhookAttempt]] = {key: [] for key in delivery_ids}
        for attempt in rows:
            found[attempt.delivery_id].append(attempt)
        return found


def _unlocked(now: datetime) -> ColumnElement[bool]:
    return or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now)


class DeliveryQueue(Repository[WebhookDelivery]):
    """Unscoped by design: the delivery worker and the scheduler serve every workspace."""

    model = WebhookDelivery

    async def endpoint(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
        return await self.session.get(WebhookEndpoint, endpoint_id, populate_existing=True)

    async def claim(
        self, endpoint_id: uuid.UUID, now: datetime, lease: timedelta, limit: int
    ) -> Sequence[WebhookDelivery]:
        """Due deliveries of the endpoint, each the oldest pending one of its contact."""
        earlier = aliased(WebhookDelivery)
        blocked = exists().where(
            earlier.endpoint_id == WebhookDelivery.endpoint_id,
            earlier.contact_id == WebhookDelivery.contact_id,
            earlier.status == DeliveryStatus.PENDING,
            earlier.id < WebhookDelivery.id,
        )
        candidates = (
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.endpoint_id == endpoint_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                _unlocked(now),
                ~and_(WebhookDelivery.contact_id.is_not(None), blocked),
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
        )
        ids = list(await self.session.scalars(candidates))
        if not ids:
            return []
        claimed = list(
            await self.session.scalars(
                update(WebhookDelivery)
                .where(among(self.session, WebhookDelivery.id, ids), _unlocked(now))
                .values(locked_until=now + lease)
                .returning(WebhookDelivery.id)
            )
        )
        rows = await self.session.scalars(
            select(WebhookDelivery)
            .where(among(self.session, WebhookDelivery.id, claimed))
            .order_by(WebhookDelivery.id)
            .execution_options(populate_existing=True)
        )
        return rows.all()

    async def due_endpoints(self, now: datetime) -> Sequence[tuple[uuid.UUID, uuid.UUID]]:
        """(workspace, endpoint) pairs of enabled endpoints with deliveries due."""
        rows = await self.session.execute(
            select(WebhookDelivery.workspace_id, WebhookDelivery.endpoint_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookEndpoint.enabled.is_(True),
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                _unlocked(now),
            )
            .distinct()
            .limit(1000)
        )
        return [(workspace_id, endpoint_id) for workspace_id, endpoint_id in rows]
