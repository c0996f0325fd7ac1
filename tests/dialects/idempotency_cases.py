"""Idempotency route-table entries for the agentvoice dialect (document 001)."""

from __future__ import annotations

import uuid

from tests.factories import Actor
from tests.idempotency_registry import Call, Case


async def create_contact(_actor: Actor) -> Call:
    body = {"first_name": "Jane", "crm_id": uuid.uuid4().hex, "crm_source": "hubspot"}
    return Call("/agentvoice/api/contacts", body)


async def crm_webhook(_actor: Actor) -> Call:
    body = {"source": "salesforce", "data": {"crm_id": uuid.uuid4().hex, "firstName": "John"}}
    return Call("/agentvoice/api/webhook/crm", body)


CASES: dict[str, Case] = {
    "/agentvoice/api/contacts": create_contact,
    "/agentvoice/api/webhook/crm": crm_webhook,
}
