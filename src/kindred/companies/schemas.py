"""Company wire format (document 004 field names, camelCase)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from kindred.core.dates import Moment
from kindred.core.schemas import Amount, ApiModel, InputModel, Int32


class CompanyFields(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    website: str | None = Field(default=None, max_length=2000)
    industry: str | None = Field(default=None, max_length=200)
    deal_value: Amount | None = None
    stage_id: str | None = Field(default=None, max_length=100)
    position: Int32 | None = None
    logo_url: str | None = Field(default=None, max_length=2000)
    notes: str | None = None
    last_contact: Moment | None = None
    is_customer: bool | None = None


class CompanyCreate(CompanyFields):
    name: str = Field(min_length=1, max_length=300)


class CompanyRead(ApiModel):
    id: uuid.UUID
    name: str
    website: str | None
    industry: str | None
    deal_value: float | None
    stage_id: str | None
    position: int
    logo_url: str | None
    notes: str | None
    last_contact: datetime | None
    is_customer: bool
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class CompanyList(ApiModel):
    companies: list[CompanyRead]
    total: int
    page: int
    page_size: int
    total_pages: int
