"""Wire shapes of campaigns (documents 000 and 002: one model, the superset of both)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from email.headerregistry import Address
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BeforeValidator,
    EmailStr,
    Field,
    computed_field,
    field_validator,
)

from kindred.campaigns.models import CampaignType
from kindred.core.schemas import ApiModel, InputModel, Omittable, lower_case, upper_case

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_header_line(value: str) -> str:
    """A value written into an email header (the From display name) holds no line break or
    other control character: the email library refuses CR and LF there when the message is
    built, so such a name would turn every send and preview into an error."""
    if CONTROL.search(value):
        raise ValueError("may not contain line breaks or other control characters")
    return value


# Enums are taken in any case, as the list's `?type=` and `?status=` are, and stored (and
# answered) in their canonical spelling; the schema lists that spelling.
Kind = Annotated[
    CampaignType,
    BeforeValidator(upper_case),
    Field(description="EMAIL, SMS or WHATSAPP (any case is accepted)"),
]
TagsMatch = Annotated[
    Literal["any", "all"],
    BeforeValidator(lower_case),
    Field(description="Whether a contact needs any or all of targetTags (any case is accepted)"),
]


def _sender_address(value: str) -> str:
    """An address the email library can write in the From header, checked as each send and
    preview builds it: a valid address whose local part is not ASCII (`ü@example.com`, which
    needs SMTPUTF8) would otherwise fail every send and preview of the campaign."""
    try:
        Address(addr_spec=value)
    except ValueError:  # the library's header defects are ValueErrors
        raise ValueError("cannot be a sender: its part before the @ must be ASCII") from None
    return value


Name = Annotated[str, Field(min_length=1, max_length=200)]
FromName = Annotated[str, Field(max_length=200), AfterValidator(_one_header_line)]
FromEmail = Annotated[EmailStr, AfterValidator(_sender_address)]
Subject = Annotated[str, Field(max_length=998)]
Body = Annotated[str, Field(max_length=500_000)]
Tags = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=100)]
BODY_ALIASES = AliasChoices("body", "message")
SCHEDULED_AT = (
    "When the scheduler starts sending (within a minute of it): an ISO 8601 date-time, read as"
    " UTC when it has no offset (as every date input of the API) and answered in UTC with Z."
    " A time already past starts the campaign at the scheduler's next tick. Set, a draft"
    " becomes SCHEDULED; set to null, a scheduled campaign is a DRAFT again."
)


class CampaignFields(InputModel):
    """Fields shared by create and update; on update every field is optional."""

    type: Kind | None = None
    subject: Subject | None = None
    body: Body | None = Field(default=None, validation_alias=BODY_ALIASES)
    from_name: FromName | None = None
    from_email: FromEmail | None = None
    segment_id: uuid.UUID | None = None
    target_tags: Tags | None = None
    target_tags_match: TagsMatch | None = None
    filter: dict[str, Any] | None = None
    category_id: uuid.UUID | None = None
    scheduled_at: datetime | None = Field(default=None, description=SCHEDULED_AT)
    allow_no_unsubscribe: bool | None = None

    @field_validator("scheduled_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """The moment in UTC (a time without a zone is UTC), as it is stored: the create or
        update answer then reads `…Z` like every later GET, not the offset that was sent."""
        if value is None:
            return None
        try:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+14:00 is before the first representable UTC day
            raise ValueError("is out of range once converted to UTC") from None


class CampaignCreate(CampaignFields):
    name: Name
    body: Body = Field(validation_alias=BODY_ALIASES)


class CampaignUpdate(CampaignFields):
    """The fields whose column cannot be empty may be omitted, not null."""

    name: Omittable[Name] = None
    type: Omittable[Kind] = None
    body: Omittable[Body] = Field(default=None, validation_alias=BODY_ALIASES)
    target_tags: Omittable[Tags] = None
    target_tags_match: Omittable[TagsMatch] = None
    allow_no_unsubscribe: Omittable[bool] = None


def _rate(count: int, sent: int) -> float:
    return round(100 * count / sent, 2) if sent else 0


class CampaignRead(ApiModel):
    id: uuid.UUID
    name: str
    type: str
    status: str
    subject: str | None
    body: str
    from_name: str | None
    from_email: str | None
    segment_id: uuid.UUID | None
    target_tags: list[str]
    target_tags_match: str
    filter: dict[str, Any] | None
    category_id: uuid.UUID | None
    scheduled_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    failure_reason: str | None
    allow_no_unsubscribe: bool
    recipients_count: int
    sent_count: int
    failed_count: int
    skipped_count: int
    delivered_count: int
    open_count: int
    click_count: int
    unsubscribe_count: int
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def message(self) -> str:
        """Document 000's name for the body."""
        return self.body

    @computed_field  # type: ignore[prop-decorator]
    @property
    def open_rate(self) -> float:
        """Opened, as a percentage of the messages sent."""
        return _rate(self.open_count, self.sent_count)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def click_rate(self) -> float:
        """Clicked, as a percentage of the messages sent."""
        return _rate(self.click_count, self.sent_count)


class CampaignList(ApiModel):
    campaigns: list[CampaignRead]
    total: int
    page: int
    page_size: int
    total_pages: int


class SendResult(ApiModel):
    success: bool = True
    queued: bool = True
    recipients: int
    sent_count: int = 0
    failed_count: int = 0
    message: str = "Campaign queued for sending."


class PreviewInput(InputModel):
    email: EmailStr


class RecipientRead(ApiModel):
    campaign_id: uuid.UUID
    contact_id: uuid.UUID
    status: str
    reason: str | None
    to: str | None = Field(validation_alias="to_address")
    message_id: uuid.UUID | None
    sent_at: datetime | None
    delivered_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None
    unsubscribed_at: datetime | None


class UnsubscribeStatus(ApiModel):
    secret_configured: bool
    list_unsubscribe_enabled: bool
