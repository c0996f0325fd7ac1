"""Webhook wire formats."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from kindred.core.schemas import ApiModel, InputModel


class EndpointCreate(InputModel):
    url: str = Field(min_length=1, max_length=2000)
    description: str | None = Field(default=None, max_length=500)
    events: list[str] = Field(min_length=1, max_length=100)
    filter: dict[str, Any] | None = None
    enabled: bool = True


class EndpointUpdate(InputModel):
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    description: str | None = Field(default=None, max_length=500)
    events: list[str] | None = Field(default=None, min_length=1, max_length=100)
    filter: dict[str, Any] | None = None
    enabled: bool | None = None


class EndpointRead(ApiModel):
    id: uuid.UUID
    url: str
    description: str | None
    events: list[str]
    filter: dict[str, Any] | None
    enabled: bool
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointRead):
    secret: str = Field(description="The signing secret (`whsec_…`); shown only now")


class SecretRotated(ApiModel):
    secret: str
    previous_secret_expires_at: datetime


class EndpointList(ApiModel):
    endpoints: list[EndpointRead]


class AttemptRead(ApiModel):
    id: uuid.UUID
    attempted_at: datetime
    request_headers: dict[str, Any]
    response_status: int | None
    response_body: str | None
    duration_ms: int
    error: str | None


class DeliveryRead(ApiModel):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    contact_id: uuid.UUID | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    replay_of: uuid.UUID | None
    created_at: datetime
    attempt_log: list[AttemptRead] = []


class DeliveryList(ApiModel):
    deliveries: list[DeliveryRead]
    total: int
    page: int
    page_size: int
    total_pages: int


class ReplayResult(ApiModel):
    replayed: int


class EventTypeRead(ApiModel):
    type: str
    description: str
    schema_: dict[str, Any] = Field(alias="schema")
