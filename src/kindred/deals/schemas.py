"""Pipeline and deal wire formats (document 000: `stage` is the stage key, contacts embedded)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_serializer, field_validator, model_validator

from kindred.core.dates import Moment
from kindred.core.schemas import ApiModel, InputModel, Omittable

StageKind = Literal["open", "won", "lost"]
STAGE_KEY = r"^[A-Za-z0-9_\-]{1,60}$"
Title = Annotated[str, Field(min_length=1, max_length=300)]
StageKey = Annotated[str, Field(pattern=STAGE_KEY)]
# Whole cents, as the column keeps them (PostgreSQL would round 0.001 to 0 and SQLite keep it).
Value = Annotated[float, Field(ge=0, le=999_999_999_999), AfterValidator(lambda v: round(v, 2))]
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
Probability = Annotated[int, Field(ge=0, le=100)]


def whole_if_integral(value: float | None) -> float | int | None:
    """`15000`, not `15000.0`, as the document writes amounts."""
    return int(value) if value is not None and float(value).is_integer() else value


class StageInput(InputModel):
    key: str = Field(pattern=STAGE_KEY)
    name: str | None = Field(default=None, max_length=200)
    probability: int = Field(default=0, ge=0, le=100)
    kind: StageKind = "open"


class PipelineCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)
    stages: list[StageInput] = Field(min_length=1, max_length=50)

    @field_validator("stages")
    @classmethod
    def _unique_keys(cls, stages: list[StageInput]) -> list[StageInput]:
        keys = [stage.key.upper() for stage in stages]
        if len(set(keys)) != len(keys):
            raise ValueError("stage keys must be unique")
        return stages


class PipelineUpdate(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    is_default: Literal[True] | None = None


class StageRead(ApiModel):
    id: uuid.UUID
    key: str
    name: str
    position: int
    probability: int
    kind: str


class PipelineDetail(ApiModel):
    id: uuid.UUID
    name: str
    is_default: bool
    stages: list[StageRead]
    created_at: datetime


class PipelineList(ApiModel):
    pipelines: list[PipelineDetail]


class DealFields(InputModel):
    """Every writable deal field, for PATCH: a column that cannot be empty may be omitted but
    not sent as null."""

    title: Omittable[Title] = None
    value: Omittable[Value] = None
    currency: Omittable[Currency] = None
    stage: Omittable[StageKey] = None
    probability: Omittable[Probability] = None
    expected_close_date: Moment | None = None
    contact_ids: list[uuid.UUID] | None = Field(default=None, max_length=100)
    company_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    lost_reason: str | None = Field(default=None, max_length=2000)

    @field_validator("currency")
    @classmethod
    def _upper(cls, currency: str | None) -> str | None:
        return currency.upper() if currency else currency


class DealCreate(DealFields):
    """A new deal; a null field takes its default (the first stage, its probability, 0, USD)."""

    title: Title
    value: Value | None = None
    currency: Currency | None = None
    stage: StageKey | None = None
    probability: Probability | None = None
    pipeline_id: uuid.UUID | None = None


class StageMove(InputModel):
    stage: StageKey
    probability: Probability | None = None
    lost_reason: str | None = Field(default=None, max_length=2000)


class ContactSummary(ApiModel):
    id: uuid.UUID
    first_name: str | None
    last_name: str | None
    email: str | None = None


class DealRead(ApiModel):
    id: uuid.UUID
    title: str
    value: float
    currency: str
    stage: str
    pipeline_id: uuid.UUID
    probability: int
    expected_close_date: datetime | None
    contacts: list[ContactSummary]
    company_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    closed_at: datetime | None
    lost_reason: str | None
    created_at: datetime
    updated_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _from_view(cls, data: Any) -> Any:
        """A service `DealView` (deal + stage key + contacts) reads as a flat deal."""
        if hasattr(data, "deal"):
            return {
                **{name: getattr(data.deal, name) for name in DEAL_COLUMNS},
                "stage": data.stage,
                "contacts": data.contacts,
            }
        return data

    @field_serializer("value")
    def _amount(self, value: float) -> float | int | None:
        return whole_if_integral(value)


DEAL_COLUMNS = tuple(name for name in DealRead.model_fields if name not in ("stage", "contacts"))


class DealList(ApiModel):
    deals: list[DealRead]
    total: int
    page: int
    page_size: int
    total_pages: int


class StageChangeRead(ApiModel):
    id: uuid.UUID
    from_stage: str | None
    to_stage: str
    probability: int
    user_id: uuid.UUID | None
    changed_at: datetime


class StageHistory(ApiModel):
    history: list[StageChangeRead]
