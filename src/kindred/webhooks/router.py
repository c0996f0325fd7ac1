"""Webhook routes: endpoints, deliveries, replays (workspace admins) and the event catalogue."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from kindred.core.db import utcnow
from kindred.core.db.session import DbSession
from kindred.core.deps import WorkspaceAdmin, WorkspaceRead
from kindred.core.events import CATALOGUE
from kindred.core.schemas import PageMeta, Paging, SuccessResponse
from kindred.settings import Settings
from kindred.webhooks import service
from kindred.webhooks.filtering import PING
from kindred.webhooks.schemas import (
    AttemptRead,
    DeliveryList,
    DeliveryRead,
    EndpointCreate,
    EndpointCreated,
    EndpointList,
    EndpointRead,
    EndpointUpdate,
    EventTypeRead,
    ReplayResult,
    SecretRotated,
)

router = APIRouter(prefix="/api", tags=["webhooks"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Webhook endpoint not found"}}
INVALID: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid URL (https and a public address), events or filter"}
}
EVENT_TYPES = [EventTypeRead.model_validate(item.public()) for item in CATALOGUE.values()]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _delivery(view: service.DeliveryView) -> DeliveryRead:
    attempts = [AttemptRead.model_validate(attempt) for attempt in view.attempt_log]
    return DeliveryRead.model_validate(view.delivery).model_copy(update={"attempt_log": attempts})


@router.get(
    "/event-types",
    response_model=list[EventTypeRead],
    summary="Every event type with the JSON schema of its data",
    openapi_extra={"x-event-types": [item.public() for item in CATALOGUE.values()]},
)
async def list_event_types(principal: WorkspaceRead) -> list[EventTypeRead]:
    return EVENT_TYPES


@router.get("/webhook-endpoints", response_model=EndpointList, summary="List webhook endpoints")
async def list_endpoints(principal: WorkspaceAdmin, session: DbSession) -> EndpointList:
    found = await service.list_endpoints(session, principal.workspace)
    return EndpointList.model_validate({"endpoints": found})


@router.post(
    "/webhook-endpoints",
    response_model=EndpointCreated,
    status_code=201,
    summary="Create a webhook endpoint (its signing secret is returned once)",
    responses=INVALID,
)
async def create_endpoint(
    body: EndpointCreate, request: Request, principal: WorkspaceAdmin, session: DbSession
) -> EndpointCreated:
    endpoint = await service.create_endpoint(
        session, _settings(request), principal.workspace, body.model_dump()
    )
    return EndpointCreated.model_validate(endpoint)


@router.get(
    "/webhook-endpoints/{endpoint_id}",
    response_model=EndpointRead,
    summary="Get a webhook endpoint",
    responses=NOT_FOUND,
)
async def get_endpoint(
    endpoint_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession
) -> EndpointRead:
    return EndpointRead.model_validate(
        await service.get_endpoint(session, principal.workspace, endpoint_id)
    )


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    response_model=EndpointRead,
    summary="Change a webhook endpoint (enabling it clears why it was disabled)",
    responses=NOT_FOUND | INVALID,
)
async def update_endpoint(
    endpoint_id: uuid.UUID,
    body: EndpointUpdate,
    request: Request,
    principal: WorkspaceAdmin,
    session: DbSession,
) -> EndpointRead:
    changes = body.model_dump(exclude_unset=True)
    endpoint = await service.update_endpoint(
        session, _settings(request), principal.workspace, endpoint_id, changes
    )
    return EndpointRead.model_validate(endpoint)


@router.delete(
    "/webhook-endpoints/{endpoint_id}",
    response_model=SuccessResponse,
    summary="Delete a webhook endpoint and its delivery log",
    responses=NOT_FOUND,
)
async def delete_endpoint(
    endpoint_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession
) -> SuccessResponse:
    await service.delete_endpoint(session, principal.workspace, endpoint_id)
    return SuccessResponse(message="Webhook endpoint deleted")


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response_model=SecretRotated,
    summary="Rotate the signing secret (the old one also signs for 24 hours)",
    responses=NOT_FOUND,
)
async def rotate_secret(
    endpoint_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession
) -> SecretRotated:
    endpoint = await service.rotate_secret(session, principal.workspace, endpoint_id)
    return SecretRotated.model_validate(endpoint)


@router.post(
    "/webhook-endpoints/{endpoint_id}/test",
    response_model=DeliveryRead,
    summary="Send a ping event now and return its delivery",
    responses=NOT_FOUND,
)
async def test_endpoint(
    endpoint_id: uuid.UUID, request: Request, principal: WorkspaceAdmin, session: DbSession
) -> DeliveryRead:
    view = await service.send_ping(session, _settings(request), principal.workspace, endpoint_id)
    return _delivery(view)


@router.get(
    "/webhook-endpoints/{endpoint_id}/deliveries",
    response_model=DeliveryList,
    summary="Deliveries to an endpoint, newest first, with every attempt",
    responses=NOT_FOUND,
)
async def list_deliveries(
    endpoint_id: uuid.UUID,
    principal: WorkspaceAdmin,
    session: DbSession,
    paging: Paging,
    status: Annotated[Literal["pending", "succeeded", "failed"] | None, Query()] = None,
    event: Annotated[str | None, Query(max_length=100)] = None,
) -> DeliveryList:
    views, total = await service.list_deliveries(
        session, principal.workspace, endpoint_id, (status, event), paging
    )
    deliveries = [_delivery(view) for view in views]
    return DeliveryList.model_validate({"deliveries": deliveries, **PageMeta.of(paging, total)})


@router.post(
    "/webhook-deliveries/{delivery_id}/replay",
    response_model=DeliveryRead,
    status_code=202,
    summary="Send a delivery's event again (a new delivery, same event id)",
    responses={404: {"description": "Webhook delivery not found"}},
)
async def replay_delivery(
    delivery_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession
) -> DeliveryRead:
    return _delivery(await service.replay_delivery(session, principal.workspace, delivery_id))


@router.post(
    "/webhook-endpoints/{endpoint_id}/replay",
    response_model=ReplayResult,
    status_code=202,
    summary="Send again every event since a time that the endpoint subscribes to",
    responses=NOT_FOUND,
)
async def replay_endpoint(
    endpoint_id: uuid.UUID,
    principal: WorkspaceAdmin,
    session: DbSession,
    since: Annotated[
        datetime | None, Query(description="ISO-8601 time; by default 24 hours ago")
    ] = None,
) -> ReplayResult:
    start = since or utcnow() - timedelta(hours=24)
    count = await service.replay_since(session, principal.workspace, endpoint_id, start)
    return ReplayResult(replayed=count)


__all__ = ["PING", "router"]
