"""MailerSend's email API: `POST {base}/email` with a Bearer token; 202 with the message id
in the `X-Message-Id` header. Errors are `{"message": "...", "errors": {"field": ["..."]}}`
(422 validation, 401 bad token): refused for good; 429 and 5xx are retried."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

import httpx

from kindred.providers.base import Accepted, OutboundMessage
from kindred.providers.http import error_field, post_to_provider

# MailerSend echoes custom headers nowhere, so the message id rides in a tag and in
# `X-Kindred-Message-Id`; delivery webhooks name MailerSend's own message id.
MESSAGE_ID_HEADER = "X-Kindred-Message-Id"


def _address(value: str) -> dict[str, str]:
    name, email = parseaddr(value)
    return {"email": email, "name": name} if name else {"email": email}


class MailerSendEmail:
    name = "mailersend"

    def __init__(self, api_key: str, sender: str, base_url: str, client: httpx.AsyncClient) -> None:
        self.api_key = api_key
        self.sender = sender
        self.url = f"{base_url.rstrip('/')}/email"
        self.client = client

    def _payload(self, message: OutboundMessage) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "from": _address(message.sender or self.sender),
            "to": [_address(message.to)],
            "subject": message.subject or "(no subject)",
            "text": message.body,
            "tags": [f"kindred-{message.id}"],
        }
        if message.html:
            payload["html"] = message.html
        if message.headers:
            payload["headers"] = [{"name": k, "value": v} for k, v in message.headers.items()]
        return payload

    async def send_email(self, message: OutboundMessage) -> Accepted:
        response = await post_to_provider(
            self.client,
            self.url,
            json=self._payload(message),
            headers={"Authorization": f"Bearer {self.api_key}", MESSAGE_ID_HEADER: message.id},
            reason=_mailersend_reason,
        )
        return Accepted(provider_message_id=response.headers.get("x-message-id") or message.id)


def _mailersend_reason(response: httpx.Response) -> str:
    return error_field(response, "MailerSend", "message")
