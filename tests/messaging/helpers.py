"""Shared steps of the messaging tests: contacts, sends, Twilio accounts and signed webhooks."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from kindred.settings import Settings
from tests.conftest import make_settings
from tests.databases import DatabaseFactory
from tests.factories import Actor, unique_email

AUTH_TOKEN = "twilio-auth-token-0123456789abcdef"
WEBHOOK_URL = "http://testserver/api/twilio/sms-webhook"
STATUS_URL = "http://testserver/api/twilio/status-callback"


def unique_phone() -> str:
    return "+1415555" + str(uuid.uuid4().int % 10_000).zfill(4)


async def make_contact(actor: Actor, **fields: Any) -> dict[str, Any]:
    body = {"firstName": "Alice", "lastName": "Johnson", "email": unique_email("alice")}
    body.setdefault("phone", unique_phone())
    response = await actor.client.post("/api/contacts", json=body | fields)
    assert response.status_code == 201, response.text
    contact: dict[str, Any] = response.json()
    return contact


async def send(actor: Actor, contact_id: str, channel: str = "SMS", **extra: Any) -> httpx.Response:
    body = {"contactId": contact_id, "content": "Hello from Kindred", "channel": channel} | extra
    return await actor.client.post("/api/messages", json=body)


async def captured(actor: Actor, **params: str) -> list[dict[str, Any]]:
    response = await actor.client.get("/api/sandbox/emails", params=params)
    assert response.status_code == 200, response.text
    emails: list[dict[str, Any]] = response.json()["emails"]
    return emails


async def configure_twilio(actor: Actor, number: str, **extra: Any) -> None:
    body = {
        "brandId": actor.workspace_id,
        "twilioAccountSid": "AC" + uuid.uuid4().hex,
        "twilioAuthToken": AUTH_TOKEN,
        "twillioMessagingServiceSid": "MG" + uuid.uuid4().hex,
        "twilioPhoneNumber": number,
    } | extra
    response = await actor.client.post("/api/auth/update-twillio-messaging-service-sid", json=body)
    assert response.status_code == 200, response.text


def twilio_form(**fields: str) -> dict[str, str]:
    return {"MessageSid": "SM" + uuid.uuid4().hex, "Body": "Hi there"} | fields


async def post_signed(
    client: httpx.AsyncClient, form: dict[str, str], url: str = WEBHOOK_URL, token: str = AUTH_TOKEN
) -> httpx.Response:
    signature = RequestValidator(token).compute_signature(url, form)
    return await client.post(
        url,
        content=urlencode(form),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": signature,
        },
    )


async def settings_with(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory, **overrides: object
) -> Settings:
    """A module's own settings (and database) for tests that need other knobs."""
    return make_settings(await databases.fresh(), tmp_path_factory.mktemp("data"), **overrides)
