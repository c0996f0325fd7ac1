"""Workspace wire formats."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from kindred.core.schemas import ApiModel, InputModel


class WorkspaceCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)
    industry: str | None = Field(default=None, max_length=200)


class WorkspaceRead(ApiModel):
    id: uuid.UUID
    name: str
    industry: str | None
    role: str
    created_at: datetime
