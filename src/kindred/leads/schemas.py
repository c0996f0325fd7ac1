"""Lead wire formats (document 000: camelCase, `{"leads", "total"}` lists)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from kindred.core.schemas import ApiModel, InputModel

LeadStatus = Literal["NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "LOST"]
LeadSource = Literal["manual", "google_places", "import", "api", "form"]
MAX_IMPORT_ROWS = 5_000


class LeadFields(InputModel):
    """Every writable lead field, all optional (PATCH); CONVERTED is set by conversion only."""

    business_name: str | None = Field(default=None, min_length=1, max_length=300)
    address: str | None = Field(default=None, max_length=500)
    city: str | None = Field(default=None, max_length=200)
    state: str | None = Field(default=None, max_length=100)
    zip_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=64)
    website: str | None = Field(default=None, max_length=2000)
    email: str | None = Field(default=None, max_length=320)
    rating: float | None = Field(default=None, ge=0, le=5)
    category: str | None = Field(default=None, max_length=200)
    status: Literal["NEW", "CONTACTED", "QUALIFIED", "LOST"] | None = None
    google_place_id: str | None = Field(default=None, max_length=300)
    source: LeadSource | None = None
    notes: str | None = None
    owner_id: uuid.UUID | None = None


class LeadCreate(LeadFields):
    business_name: str = Field(min_length=1, max_length=300)


class LeadRead(ApiModel):
    id: uuid.UUID
    business_name: str
    address: str | None
    city: str | None
    state: str | None
    zip_code: str | None
    country: str | None
    phone: str | None
    website: str | None
    email: str | None
    rating: float | None
    category: str | None
    status: str
    google_place_id: str | None
    source: str
    notes: str | None
    owner_id: uuid.UUID | None
    converted_contact_id: uuid.UUID | None
    converted_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LeadList(ApiModel):
    leads: list[LeadRead]
    total: int
    page: int
    page_size: int
    total_pages: int


class ContactData(InputModel):
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    title: str | None = Field(default=None, max_length=200)


class LeadConvert(InputModel):
    contact_data: ContactData = Field(default_factory=ContactData)
    company_name: str | None = Field(
        default=None, min_length=1, max_length=300, description="Default: the business name"
    )


class LeadConverted(ApiModel):
    success: bool = True
    contact_id: uuid.UUID
    company_id: uuid.UUID | None = None
    message: str = "Lead converted to contact"


class LeadImport(InputModel):
    leads: list[dict[str, Any]] = Field(max_length=MAX_IMPORT_ROWS)
    source: LeadSource = Field(default="import", description="For rows that name no source")


class ImportRowError(ApiModel):
    row: int
    error: str


class LeadImportResult(ApiModel):
    success: bool = True
    imported: int
    created: int
    updated: int = 0
    skipped: int
    failed: int
    errors: list[ImportRowError]
