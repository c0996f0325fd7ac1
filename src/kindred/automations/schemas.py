"""Wire formats: document 000 workflows (camelCase envelopes) and document 002 rules."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field

from kindred.core.schemas import ApiModel, InputModel, Match, Omittable


class Trigger(StrEnum):
    CONTACT_CREATED = "CONTACT_CREATED"
    CONTACT_UPDATED = "CONTACT_UPDATED"
    TAG_ADDED = "TAG_ADDED"
    TAG_REMOVED = "TAG_REMOVED"
    FIELD_CHANGED = "FIELD_CHANGED"
    DEAL_STAGE_CHANGED = "DEAL_STAGE_CHANGED"
    LEAD_CREATED = "LEAD_CREATED"
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED"
    APPOINTMENT_SCHEDULED = "APPOINTMENT_SCHEDULED"
    FORM_SUBMITTED = "FORM_SUBMITTED"
    SCHEDULE = "SCHEDULE"


class ActionType(StrEnum):
    SEND_SMS = "SEND_SMS"
    SEND_EMAIL = "SEND_EMAIL"
    SEND_WHATSAPP = "SEND_WHATSAPP"
    ADD_TAG = "ADD_TAG"
    REMOVE_TAG = "REMOVE_TAG"
    SET_FIELD = "SET_FIELD"
    CREATE_DEAL = "CREATE_DEAL"
    MOVE_DEAL_STAGE = "MOVE_DEAL_STAGE"
    CREATE_TASK = "CREATE_TASK"
    WAIT = "WAIT"
    WEBHOOK = "WEBHOOK"


class WorkflowStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class ConditionIn(InputModel):
    field: str
    operator: str
    value: Any = None


class ActionIn(InputModel):
    type: ActionType
    config: dict[str, Any] = Field(default_factory=dict)


class WorkflowCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    trigger: Trigger
    trigger_config: dict[str, Any] = Field(default_factory=dict)
    match: Match = "all"
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=100)
    actions: list[ActionIn] = Field(min_length=1, max_length=50)
    status: WorkflowStatus = WorkflowStatus.ACTIVE


class WorkflowUpdate(InputModel):
    name: Omittable[str] = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    trigger: Omittable[Trigger] = None
    trigger_config: Omittable[dict[str, Any]] = None
    match: Omittable[Match] = None
    conditions: Omittable[list[ConditionIn]] = Field(default=None, max_length=100)
    actions: Omittable[list[ActionIn]] = Field(default=None, min_length=1, max_length=50)
    status: Omittable[WorkflowStatus] = None


class WorkflowRead(ApiModel):
    id: uuid.UUID
    name: str
    description: str | None
    trigger: str
    trigger_config: dict[str, Any]
    match: str
    conditions: list[Any]
    actions: list[Any]
    status: str
    execution_count: int
    created_at: datetime
    updated_at: datetime


class WorkflowCreated(WorkflowRead):
    webhook_secret: str = Field(
        description="Signs this workflow's WEBHOOK deliveries (`whsec_…`); shown only now"
    )


class WorkflowList(ApiModel):
    workflows: list[WorkflowRead]
    total: int
    page: int
    page_size: int
    total_pages: int


class RunStepRead(ApiModel):
    position: int
    type: str
    status: str
    output: dict[str, Any]
    error: str | None
    started_at: datetime
    finished_at: datetime | None


class RunRead(ApiModel):
    id: uuid.UUID
    workflow_id: uuid.UUID
    event_type: str | None
    contact_id: uuid.UUID | None
    depth: int
    status: str
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    steps: list[RunStepRead]


class RunList(ApiModel):
    runs: list[RunRead]
    total: int
    page: int
    page_size: int
    total_pages: int


class SetFieldAction(InputModel):
    type: Literal["set_field"]
    field: str = Field(min_length=1)
    value: Any = None


class TagAction(InputModel):
    type: Literal["add_tag", "remove_tag"]
    tag: str = Field(min_length=1, max_length=100, description="A tag name, as the tags API takes")


# Told apart by `type`: a bad action is reported against its own type's fields only (as
# `config.actions.0.add_tag.tag`), not against every member of the union.
RuleAction = Annotated[SetFieldAction | TagAction, Field(discriminator="type")]


class RuleConfig(InputModel):
    match: Match = "all"
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=100)
    actions: list[RuleAction] = Field(min_length=1, max_length=50)


class RuleCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    config: RuleConfig


class RuleUpdate(InputModel):
    name: Omittable[str] = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    config: Omittable[RuleConfig] = None
    is_active: Omittable[bool] = None


class RuleRead(ApiModel):
    id: uuid.UUID
    name: str
    description: str | None
    config: dict[str, Any]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class RuleRunResult(ApiModel):
    affected: int
