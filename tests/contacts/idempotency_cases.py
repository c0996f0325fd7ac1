"""Idempotency route-table entries for contacts, tags, fields, interactions, import and CRM."""

from __future__ import annotations

import uuid

from tests.factories import Actor, unique_email
from tests.idempotency_registry import Call, Case


async def _contact_id(actor: Actor) -> str:
    created = await actor.client.post("/api/contacts", json={"firstName": "Ada"})
    assert created.status_code == 201, created.text
    contact_id: str = created.json()["id"]
    return contact_id


async def create_contact(_actor: Actor) -> Call:
    return Call("/api/contacts", {"firstName": "Ada", "email": unique_email("ada")})


async def import_rows(_actor: Actor) -> Call:
    rows = [{"First Name": "Imported", "E-mail": unique_email("import")}]
    return Call("/api/contacts/import", {"rows": rows, "skipDuplicates": True})


async def add_interaction(actor: Actor) -> Call:
    body = {"type": "note", "subject": "Called", "body": "Left a voicemail", "metadata": {}}
    return Call(f"/api/contacts/{await _contact_id(actor)}/interactions", body)


async def tag_contact(actor: Actor) -> Call:
    tag = await actor.client.post("/api/tags", json={"name": uuid.uuid4().hex[:8]})
    assert tag.status_code == 201, tag.text
    return Call(f"/api/contacts/{await _contact_id(actor)}/tags", {"tagId": tag.json()["id"]})


async def create_tag(_actor: Actor) -> Call:
    return Call("/api/tags", {"name": uuid.uuid4().hex[:8], "color": "#ff0000"})


async def create_field(_actor: Actor) -> Call:
    body = {"name": f"f_{uuid.uuid4().hex[:8]}", "label": "Size", "fieldType": "number"}
    return Call("/api/fields", body | {"sortOrder": 1})


async def crm_webhook(_actor: Actor) -> Call:
    body = {"source": "salesforce", "data": {"crm_id": uuid.uuid4().hex, "first_name": "Sync"}}
    return Call("/api/webhook/crm", body)


CASES: dict[str, Case] = {
    "/api/contacts": create_contact,
    "/api/contacts/import": import_rows,
    "/api/contacts/{contact_id}/interactions": add_interaction,
    "/api/contacts/{contact_id}/tags": tag_contact,
    "/api/tags": create_tag,
    "/api/fields": create_field,
    "/api/webhook/crm": crm_webhook,
}
