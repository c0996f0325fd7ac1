"""Wire shapes of conversations and messages (document 000), conversation actions, the
sandbox (document 002) and the Twilio settings (document 003)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from kindred.core.schemas import ApiModel, InputModel
from kindred.messaging.models import Channel, ConversationStatus

Content = Annotated[str, Field(min_length=1, max_length=10_000)]


class MessageRead(ApiModel):
    id: uuid.UUID
    conversation_id: uuid.UUID | None  # None for a campaign's message
    contact_id: uuid.UUID | None
    content: str
    subject: str | None
    direction: str
    channel: str
    status: str
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None


class MessageList(ApiModel):
    messages: list[MessageRead]


class ContactSummary(ApiModel):
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None


class LastMessage(ApiModel):
    content: str
    direction: str
    created_at: datetime


class ConversationRead(ApiModel):
    id: uuid.UUID
    contact_id: uuid.UUID | None
    contact: ContactSummary | None
    last_message: LastMessage | None
    unread_count: int
    channel: str
    status: str
    is_read: bool
    assigned_to_user_id: uuid.UUID | None
    tags: list[str]
    last_message_at: datetime | None
    created_at: datetime


class ConversationList(ApiModel):
    conversations: list[ConversationRead]


class SendInput(InputModel):
    contact_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    content: Content
    channel: Channel | None = None
    subject: Annotated[str | None, Field(max_length=998)] = None
    html: Annotated[str | None, Field(max_length=200_000)] = None


class AssignInput(InputModel):
    user_id: uuid.UUID | None


class TagsInput(InputModel):
    tags: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(max_length=50)


class StatusInput(InputModel):
    status: ConversationStatus


class TwilioSettingsInput(InputModel):
    brand_id: uuid.UUID | None = None
    twilio_account_sid: Annotated[str | None, Field(max_length=64)] = None
    twilio_auth_token: Annotated[str | None, Field(max_length=128)] = None
    twillio_messaging_service_sid: Annotated[str | None, Field(max_length=64)] = None
    twilio_phone_number: Annotated[str | None, Field(max_length=32)] = None


SimulatedEvent = Literal["delivered", "opened", "clicked", "bounced", "complained", "unsubscribed"]


class SimulateInput(InputModel):
    event: SimulatedEvent
    url: Annotated[str | None, Field(max_length=2000)] = None


class SandboxFilterInput(InputModel):
    campaign_id: uuid.UUID | None = None
    to: Annotated[str | None, Field(max_length=320)] = None
    workspace_id: uuid.UUID | None = None
    status: Annotated[str | None, Field(max_length=16)] = None
    since: datetime | None = None


class SimulateBulkInput(InputModel):
    filter: SandboxFilterInput = Field(default_factory=SandboxFilterInput)
    event: SimulatedEvent


class ClearInput(InputModel):
    campaign_id: uuid.UUID | None = None


class SandboxEmailRead(ApiModel):
    id: uuid.UUID
    workspace_id: uuid.UUID
    message_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    channel: str
    to: str = Field(validation_alias="to_address")
    from_: str | None = Field(validation_alias="from_address", serialization_alias="from")
    subject: str | None
    text: str
    html: str | None
    headers: dict[str, str]
    status: str
    events: list[dict[str, str | None]]
    created_at: datetime
    updated_at: datetime


class SandboxEmailList(ApiModel):
    emails: list[SandboxEmailRead]
    total: int
