"""Segment wire formats (document 002); the filter itself is checked by core.filters."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from kindred.core.schemas import ApiModel, InputModel


class FilterInput(InputModel):
    """The filter's outer shape; conditions are validated with their paths by the parser."""

    match: Literal["all", "any"] = "all"
    conditions: list[Any] = Field(default_factory=list)


class SegmentCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    filter: FilterInput
    cross_workspace: bool = False


class SegmentUpdate(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    filter: FilterInput | None = None
    cross_workspace: bool | None = None


class SegmentRead(ApiModel):
    id: uuid.UUID
    name: str
    description: str | None
    filter: dict[str, Any]
    cross_workspace: bool
    workspace_id: uuid.UUID
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class PreviewInput(InputModel):
    filter: FilterInput


class PreviewContact(BaseModel):
    """Document 002 spells the preview rows in snake_case."""

    id: uuid.UUID
    email: str | None
    first_name: str | None
    last_name: str | None


class PreviewResult(BaseModel):
    count: int
    contacts: list[PreviewContact]
