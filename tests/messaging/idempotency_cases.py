"""Idempotency route-table entries for messaging, sandbox, banlist and Twilio settings."""

from __future__ import annotations

from tests.factories import Actor, unique_email
from tests.idempotency_registry import Call, Case, Excluded
from tests.messaging.helpers import make_contact, send

WEBHOOK = "a provider webhook: deduplicated by the provider's event id (record_once), keyless"
VISITOR = "anonymous web-chat visitor: there is no workspace to scope a key to"
PLATFORM = "platform-admin only (the case's actor is a workspace admin); sets a value"


async def send_message(actor: Actor) -> Call:
    contact = await make_contact(actor)
    return Call("/api/messages", {"contactId": contact["id"], "content": "Hi", "channel": "SMS"})


async def _conversation(actor: Actor) -> str:
    contact = await make_contact(actor)
    conversation_id: str = (await send(actor, contact["id"])).json()["conversationId"]
    return conversation_id


async def assign(actor: Actor) -> Call:
    path = f"/api/conversations/{await _conversation(actor)}/assign"
    return Call(path, {"userId": actor.user_id})


async def close(actor: Actor) -> Call:
    return Call(f"/api/conversations/{await _conversation(actor)}/close")


async def reopen(actor: Actor) -> Call:
    return Call(f"/api/conversations/{await _conversation(actor)}/reopen")


async def mark_read(actor: Actor) -> Call:
    return Call(f"/api/conversations/{await _conversation(actor)}/read")


async def ban(_actor: Actor) -> Call:
    return Call("/api/auth/banned", {"email": unique_email("banned"), "reason": "abuse"})


async def twilio_settings(actor: Actor) -> Call:
    body = {"brandId": actor.workspace_id, "twillioMessagingServiceSid": "MG" + "0" * 32}
    return Call("/api/auth/update-twillio-messaging-service-sid", body)


async def simulate(actor: Actor) -> Call:
    await _conversation(actor)
    emails = await actor.client.get("/api/sandbox/emails")
    email_id = emails.json()["emails"][0]["id"]
    return Call(f"/api/sandbox/emails/{email_id}/simulate", {"event": "delivered"})


async def simulate_bulk(actor: Actor) -> Call:
    await _conversation(actor)
    return Call("/api/sandbox/emails/simulate-bulk", {"filter": {}, "event": "opened"})


CASES: dict[str, Case] = {
    "/api/messages": send_message,
    "/api/conversations/{conversation_id}/assign": assign,
    "/api/conversations/{conversation_id}/close": close,
    "/api/conversations/{conversation_id}/reopen": reopen,
    "/api/conversations/{conversation_id}/read": mark_read,
    "/api/auth/banned": ban,
    "/api/auth/update-twillio-messaging-service-sid": twilio_settings,
    "/api/sandbox/emails/{email_id}/simulate": simulate,
    "/api/sandbox/emails/simulate-bulk": simulate_bulk,
    "/api/twilio/sms-webhook": Excluded(WEBHOOK),
    "/api/twilio/status-callback": Excluded(WEBHOOK),
    "/api/webhooks/mailersend": Excluded(WEBHOOK),
    "/api/chat/{workspace_id}/conversations": Excluded(VISITOR),
    "/api/chat/conversations/{conversation_id}/messages": Excluded(VISITOR),
    "/api/auth/admin/get-credit-weights": Excluded(PLATFORM),
    "/api/auth/admin/update-credit-weight": Excluded(PLATFORM),
    "/api/auth/admin/update-enrichment-weight": Excluded(PLATFORM),
}
