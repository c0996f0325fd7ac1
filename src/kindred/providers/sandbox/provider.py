"""The sandbox twins of the SMS and email providers: nothing leaves; every message is handed
to a capture (the messaging domain stores it, for `/api/sandbox/emails` and simulation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from kindred.providers.base import Accepted, OutboundMessage

# Stores a message (channel, message); returns its sandbox id, the provider message id.
Capture = Callable[[str, OutboundMessage], Awaitable[str]]


class SandboxProvider:
    """Implements SmsProvider and EmailProvider by capturing instead of sending."""

    name = "sandbox"

    def __init__(self, capture: Capture, channel: str) -> None:
        self.capture = capture
        self.channel = channel

    async def send_sms(self, message: OutboundMessage) -> Accepted:
        return Accepted(provider_message_id=await self.capture(self.channel, message))

    async def send_email(self, message: OutboundMessage) -> Accepted:
        return Accepted(provider_message_id=await self.capture(self.channel, message))
