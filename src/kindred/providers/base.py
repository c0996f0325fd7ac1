"""The narrow Protocols outbound providers implement, and what they answer.

A provider either accepts a message (its id at the provider), refuses it for good
(`ProviderRejected`: the message becomes FAILED with the provider's reason) or fails in a way
worth retrying (`ProviderUnavailable`: the send task raises and is retried with backoff).
`OutboundMessage.id` is Kindred's message id, sent as the provider's idempotency key so
that a retry after an unrecorded success is not delivered twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class OutboundMessage:
    id: str
    to: str
    body: str
    sender: str | None = None
    subject: str | None = None
    html: str | None = None
    status_callback: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    provider_message_id: str


class ProviderRejected(Exception):
    """The provider refused the message; retrying would not help."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProviderUnavailable(Exception):
    """A transient failure (network, 429, 5xx): the send is retried."""


class SmsProvider(Protocol):
    name: str

    async def send_sms(self, message: OutboundMessage) -> Accepted: ...


class EmailProvider(Protocol):
    name: str

    async def send_email(self, message: OutboundMessage) -> Accepted: ...
