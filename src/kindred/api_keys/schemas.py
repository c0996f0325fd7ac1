"""API key wire formats (document 002)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from kindred.core.schemas import ApiModel, InputModel


class ApiKeyCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)


class ApiKeyRead(ApiModel):
    id: uuid.UUID
    name: str
    key_prefix: str
    user_id: uuid.UUID
    workspace_id: uuid.UUID
    is_active: bool
    last_used_at: datetime | None
    created_at: datetime
    creator_name: str
    creator_email: str


class ApiKeyCreated(ApiModel):
    id: uuid.UUID
    name: str
    key_prefix: str
    workspace_id: uuid.UUID
    raw_key: str
    created_at: datetime
