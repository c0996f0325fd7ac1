"""Twilio's Messages REST API (SMS and WhatsApp): `POST /Accounts/{AccountSid}/Messages.json`
with basic auth (account SID, auth token) and form fields To, From or MessagingServiceSid,
Body and StatusCallback. The base URL is an operator setting (tests point it at a fake).

Twilio answers errors as `{"code": 21211, "message": "...", "status": 400}`: a 4xx other
than 429 refuses the message for good, a 429 or 5xx (or no answer) is retried.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from kindred.providers.base import (
    Accepted,
    OutboundMessage,
    ProviderRejected,
    ProviderUnavailable,
)
from kindred.providers.http import error_field, post_to_provider

IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
WHATSAPP_PREFIX = "whatsapp:"


@dataclass(frozen=True)
class TwilioCredentials:
    account_sid: str
    auth_token: str
    messaging_service_sid: str | None = None
    phone_number: str | None = None


class TwilioSms:
    name = "twilio"

    def __init__(
        self, credentials: TwilioCredentials, base_url: str, client: httpx.AsyncClient
    ) -> None:
        self.credentials = credentials
        self.url = f"{base_url.rstrip('/')}/Accounts/{credentials.account_sid}/Messages.json"
        self.client = client

    def _form(self, message: OutboundMessage) -> dict[str, str]:
        form = {"To": message.to, "Body": message.body}
        if self.credentials.messaging_service_sid:
            form["MessagingServiceSid"] = self.credentials.messaging_service_sid
        elif self.credentials.phone_number:
            form["From"] = _same_channel(self.credentials.phone_number, message.to)
        else:
            raise ProviderRejected("Twilio has neither a messaging service nor a sender number")
        if message.status_callback:
            form["StatusCallback"] = message.status_callback
        return form

    async def send_sms(self, message: OutboundMessage) -> Accepted:
        response = await post_to_provider(
            self.client,
            self.url,
            data=self._form(message),
            auth=(self.credentials.account_sid, self.credentials.auth_token),
            headers={IDEMPOTENCY_HEADER: message.id},
            reason=_twilio_reason,
        )
        try:
            return Accepted(provider_message_id=str(response.json()["sid"]))
        except (ValueError, KeyError, TypeError) as error:
            raise ProviderUnavailable("Twilio answered without a message sid") from error


def _same_channel(sender: str, to: str) -> str:
    """The sender number on the recipient's channel: Twilio refuses a plain From with a
    `whatsapp:` To (error 21910, "Invalid From and To pair")."""
    number = sender.removeprefix(WHATSAPP_PREFIX)
    return f"{WHATSAPP_PREFIX}{number}" if to.startswith(WHATSAPP_PREFIX) else number


def _twilio_reason(response: httpx.Response) -> str:
    return error_field(response, "Twilio", "message")
