"""Appointment wire formats (document 000: `{"appointments": [...]}` with the contact embedded)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from kindred.core.dates import Moment
from kindred.core.schemas import ApiModel, InputModel

AppointmentStatus = Literal["SCHEDULED", "CONFIRMED", "COMPLETED", "CANCELLED", "NO_SHOW"]


class Reminder(ApiModel):
    minutes_before: int = Field(ge=0, le=40_320)
    channel: Literal["email", "sms"] = "email"


class AppointmentFields(InputModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    start_time: Moment | None = None
    end_time: Moment | None = None
    contact_id: uuid.UUID | None = None
    location: str | None = Field(default=None, max_length=500)
    notes: str | None = Field(default=None, max_length=10_000)
    status: AppointmentStatus | None = None
    owner_id: uuid.UUID | None = None
    reminders: list[Reminder] | None = Field(default=None, max_length=10)
    allow_overlap: bool = False


class AppointmentCreate(AppointmentFields):
    title: str = Field(min_length=1, max_length=300)
    start_time: Moment
    end_time: Moment


class ContactName(ApiModel):
    id: uuid.UUID
    first_name: str | None
    last_name: str | None


class AppointmentRead(ApiModel):
    id: uuid.UUID
    title: str
    start_time: datetime
    end_time: datetime
    contact_id: uuid.UUID | None
    contact: ContactName | None = None
    location: str | None
    notes: str | None
    status: str
    owner_id: uuid.UUID | None
    reminders: list[Reminder]
    created_at: datetime
    updated_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _from_view(cls, data: Any) -> Any:
        """A service `AppointmentView` reads as the appointment with its contact embedded."""
        if hasattr(data, "appointment"):
            row = data.appointment
            return {name: getattr(row, name, None) for name in cls.model_fields} | {
                "contact": data.contact
            }
        return data


class AppointmentList(ApiModel):
    appointments: list[AppointmentRead]
    total: int


class FeedToken(ApiModel):
    url: str
    token: str
