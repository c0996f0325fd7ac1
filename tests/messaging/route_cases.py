"""Safety-matrix cases for messaging, sandbox, banlist and web-chat routes (see
tests/safety/registry.py)."""

from __future__ import annotations

from typing import Any

from tests.conftest import client_for
from tests.factories import unique_email
from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant


async def _send(tenant: Tenant) -> dict[str, Any]:
    contact = await tenant.admin.client.post(
        "/api/contacts", json={"firstName": "Matrix", "email": unique_email("matrix")}
    )
    assert contact.status_code == 201, contact.text
    sent = await tenant.admin.client.post(
        "/api/messages",
        json={"contactId": contact.json()["id"], "content": "Hello", "channel": "EMAIL"},
    )
    assert sent.status_code == 200, sent.text
    message: dict[str, Any] = sent.json()
    return message


async def _create_conversation(tenant: Tenant) -> Params:
    return {"conversation_id": (await _send(tenant))["conversationId"]}


async def _conversation_state(tenant: Tenant, params: Params) -> Any:
    listed = await tenant.admin.client.get("/api/messages")
    return next(
        (c for c in listed.json()["conversations"] if c["id"] == params["conversation_id"]), None
    )


async def _create_capture(tenant: Tenant) -> Params:
    await _send(tenant)
    emails = await tenant.admin.client.get("/api/sandbox/emails")
    return {"email_id": emails.json()["emails"][0]["id"]}


async def _capture_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/sandbox/emails/{params['email_id']}")
    return response.json() if response.status_code == 200 else None


async def _create_ban(tenant: Tenant) -> Params:
    added = await tenant.admin.client.post("/api/auth/banned", json={"email": unique_email("ban")})
    assert added.status_code == 200, added.text
    return {"ban_id": added.json()["id"]}


async def _ban_state(tenant: Tenant, params: Params) -> Any:
    listed = await tenant.admin.client.get("/api/auth/banned", params={"limit": 200})
    return next((e for e in listed.json()["data"] if e["id"] == params["ban_id"]), None)


async def _create_chat(tenant: Tenant) -> Params:
    async with client_for(tenant.admin.app) as visitor:
        started = await visitor.post(
            f"/api/chat/{tenant.admin.workspace_id}/conversations", json={"message": "Hello"}
        )
    assert started.status_code == 201, started.text
    return {"conversation_id": started.json()["conversationId"]}


async def _chat_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/messages/{params['conversation_id']}")
    return response.json() if response.status_code == 200 else None


async def _chat_site(tenant: Tenant) -> Params:
    return {"workspace_id": tenant.admin.workspace_id}


async def _chat_list(tenant: Tenant, _params: Params) -> Any:
    return (await tenant.admin.client.get("/api/messages")).json()


CASES = [
    ObjectCase(
        paths=("/api/chat/{workspace_id}/conversations",), create=_chat_site, state=_chat_list
    ),
    ObjectCase(
        paths=("/api/chat/conversations/{conversation_id}/messages",),
        create=_create_chat,
        state=_chat_state,
    ),
    ObjectCase(
        paths=(
            "/api/messages/{conversation_id}",
            "/api/conversations/{conversation_id}/assign",
            "/api/conversations/{conversation_id}/close",
            "/api/conversations/{conversation_id}/reopen",
            "/api/conversations/{conversation_id}/read",
            "/api/conversations/{conversation_id}/tags",
        ),
        create=_create_conversation,
        state=_conversation_state,
    ),
    ObjectCase(
        paths=("/api/sandbox/emails/{email_id}", "/api/sandbox/emails/{email_id}/simulate"),
        create=_create_capture,
        state=_capture_state,
    ),
    ObjectCase(paths=("/api/auth/banned/{ban_id}",), create=_create_ban, state=_ban_state),
]

BODIES = {
    "POST /api/messages": lambda: {
        "contactId": "0193a000-0000-7000-8000-000000000000",
        "content": "Hello",
        "channel": "SMS",
    },
    # `note` is ignored by the schema; it gives the NUL-byte matrix a string to poison.
    "POST /api/conversations/{conversation_id}/assign": lambda: {"userId": None, "note": "n"},
    "PUT /api/conversations/{conversation_id}/tags": lambda: {"tags": ["vip"], "note": "n"},
    "POST /api/chat/{workspace_id}/conversations": lambda: {"visitorName": "Jane", "message": "Hi"},
    "POST /api/auth/banned": lambda: {"email": unique_email("banned")},
    "POST /api/auth/update-twillio-messaging-service-sid": lambda: {
        "twillioMessagingServiceSid": "MG00000000000000000000000000000000"
    },
    "POST /api/sandbox/emails/{email_id}/simulate": lambda: {"event": "delivered"},
    "POST /api/sandbox/emails/simulate-bulk": lambda: {"filter": {}, "event": "delivered"},
    "POST /api/auth/admin/update-credit-weight": lambda: {"creditType": "SMS", "weight": 1},
    "POST /api/auth/admin/update-enrichment-weight": lambda: {"weight": 1},
    "POST /api/chat/conversations/{conversation_id}/messages": lambda: {"content": "Hi"},
}

PUBLIC = {
    "GET /api/sandbox/status",
    "POST /api/twilio/sms-webhook",
    "POST /api/twilio/status-callback",
    "POST /api/webhooks/mailersend",
    "POST /api/chat/{workspace_id}/conversations",
    "POST /api/chat/conversations/{conversation_id}/messages",
    "GET /api/chat/conversations/{conversation_id}/messages",
}
