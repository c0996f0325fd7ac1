"""Native wire formats of contacts, tags, fields, interactions and imports (documents 000, 002)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, Field, field_validator

from kindred.core.schemas import ApiModel, InputModel, Int32

FieldType = Literal["text", "number", "date", "select", "multiselect", "boolean", "url", "email"]
InteractionType = Literal[
    "email_sent",
    "email_received",
    "call",
    "meeting",
    "note",
    "form_submission",
    "event_attended",
    "action_taken",
    "stage_change",
]


class ContactFields(InputModel):
    """Every writable contact field; all optional (PUT and PATCH are partial updates)."""

    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    company: str | None = Field(default=None, max_length=300)
    company_id: uuid.UUID | None = None
    title: str | None = Field(default=None, max_length=200)
    role: str | None = Field(default=None, max_length=200)
    is_primary: bool | None = None
    notes: str | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None
    source: str | None = Field(default=None, max_length=50)
    language: str | None = Field(default=None, max_length=20)
    globally_unsubscribed: bool | None = None
    communication_preferences: dict[str, Any] | None = None
    crm_id: str | None = Field(default=None, max_length=200)
    crm_source: str | None = Field(default=None, max_length=100)

    @field_validator("crm_id", "crm_source")
    @classmethod
    def _blank_crm_is_none(cls, value: str | None) -> str | None:
        """An empty CRM id or source means none: it must not collide with other empty ones."""
        return value or None

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, tags: list[str] | None) -> list[str] | None:
        if tags is None:
            return None
        return list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))


class TagRead(ApiModel):
    id: uuid.UUID
    name: str
    color: str | None
    workspace_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class ContactRead(ApiModel):
    id: uuid.UUID
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    company: str | None
    company_id: uuid.UUID | None
    title: str | None
    role: str | None
    is_primary: bool
    notes: str | None
    tags: list[str]
    custom_fields: dict[str, Any]
    source: str
    language: str | None
    globally_unsubscribed: bool
    communication_preferences: dict[str, Any]
    crm_id: str | None
    crm_source: str | None
    user_id: uuid.UUID | None = Field(
        validation_alias=AliasChoices("owner_id", "user_id", "userId")
    )
    workspace_id: uuid.UUID
    last_task_run: datetime | None
    total_tasks_run: int
    created_at: datetime
    updated_at: datetime

    @field_validator("tags", mode="before")
    @classmethod
    def _tag_names(cls, tags: list[Any]) -> list[str]:
        return [tag if isinstance(tag, str) else tag.name for tag in tags]


class InteractionRead(ApiModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    type: str
    subject: str | None
    body: str | None
    occurred_at: datetime
    metadata: dict[str, Any] = Field(validation_alias=AliasChoices("meta", "metadata"))
    user_id: uuid.UUID | None
    created_at: datetime


class ContactDetail(ContactRead):
    """One contact with its recent timeline (document 000): `notes` here is the note list."""

    messages: list[dict[str, Any]]
    appointments: list[dict[str, Any]]
    notes: list[InteractionRead]  # type: ignore[assignment]


class ContactList(ApiModel):
    contacts: list[ContactRead]
    total: int
    page: int
    page_size: int
    total_pages: int


class DeleteResult(ApiModel):
    success: bool = True
    message: str


class TagCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    color: str | None = Field(default=None, max_length=32)


class TagUpdate(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    color: str | None = Field(default=None, max_length=32)


class ContactTagInput(InputModel):
    tag_id: uuid.UUID


class FieldCreate(InputModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    label: str = Field(min_length=1, max_length=200)
    field_type: FieldType
    options: list[str] | None = None
    sort_order: Int32 = 0
    scope: Literal["core", "global_internal", "workspace"] = "workspace"


class FieldUpdate(InputModel):
    label: str | None = Field(default=None, min_length=1, max_length=200)
    field_type: FieldType | None = None
    options: list[str] | None = None
    sort_order: Int32 | None = None


class FieldRead(ApiModel):
    id: uuid.UUID
    name: str
    label: str
    field_type: str
    options: list[str] | None
    sort_order: int
    scope: str
    workspace_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class InteractionCreate(InputModel):
    type: InteractionType
    subject: str | None = Field(default=None, max_length=500)
    body: str | None = None
    occurred_at: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class InteractionList(ApiModel):
    interactions: list[InteractionRead]
    total: int
    page: int
    page_size: int
    total_pages: int


class ImportInput(InputModel):
    """Document 002's JSON import: rows keyed by column, a column -> field mapping."""

    rows: list[dict[str, Any]] = Field(max_length=1_000_000)
    mapping: dict[str, str] = Field(default_factory=dict)
    constant_values: dict[str, Any] = Field(default_factory=dict)
    skip_duplicates: bool = False


class ImportRowError(ApiModel):
    row: int
    error: str


class ImportResult(ApiModel):
    success: bool = True
    total: int
    imported: int
    created: int
    updated: int
    skipped: int
    failed: int
    errors: list[ImportRowError]


class ImportQueued(ApiModel):
    success: bool = True
    job_id: uuid.UUID
    status: str
    total: int


class ImportJobRead(ApiModel):
    id: uuid.UUID
    job_id: uuid.UUID
    status: str
    total: int
    processed: int
    result: ImportResult | None
    created_at: datetime
    updated_at: datetime
