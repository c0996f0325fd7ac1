"""Document 001's examples against `/agentvoice/api` with x-api-key + x-organization-id."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.conftest import client_for
from tests.factories import signup

CONTACT_KEYS = {
    "id",
    "user_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "created_at",
    "updated_at",
    "last_task_run",
    "total_tasks_run",
    "organization_id",
    "crm_id",
    "crm_source",
}


async def _agentvoice(app: FastAPI) -> httpx.AsyncClient:
    owner = await signup(app)
    _, key = await owner.api_key_client()
    return client_for(app, **{"x-api-key": key["rawKey"], "x-organization-id": owner.workspace_id})


async def test_contact_lifecycle_examples(app: FastAPI) -> None:
    client = await _agentvoice(app)
    created = await client.post(
        "/agentvoice/api/contacts",
        json={
            "first_name": "Jane",
            "last_name": "Smith",
            "email": "jane@example.com",
            "phone": "+1987654321",
            "company": "New Corp",
            "crm_id": "CRM456",
            "crm_source": "hubspot",
        },
    )
    assert created.status_code in (200, 201)
    assert created.json().keys() == CONTACT_KEYS
    contact_id = created.json()["id"]
    listed = (await client.get("/agentvoice/api/contacts")).json()
    assert isinstance(listed, list)
    assert listed[0].keys() == CONTACT_KEYS
    assert (await client.get(f"/agentvoice/api/contacts/{contact_id}")).json()[
        "first_name"
    ] == "Jane"
    found = await client.get("/agentvoice/api/contacts/crm/lookup?crm_id=CRM456&crm_source=hubspot")
    assert found.json()["id"] == contact_id
    patched = await client.patch(
        f"/agentvoice/api/contacts/{contact_id}",
        json={
            "first_name": "Janet",
            "email": "janet@example.com",
            "company": "Updated Corp",
            "crm_id": "CRM789",
            "crm_source": "zoho",
        },
    )
    assert patched.json()["first_name"] == "Janet"
    assert patched.json()["crm_source"] == "zoho"
    deleted = await client.delete(f"/agentvoice/api/contacts/{contact_id}")
    assert deleted.json() == {"message": "Contact deleted successfully"}


async def test_crm_webhook_creates_then_updates(app: FastAPI) -> None:
    client = await _agentvoice(app)
    payload = {
        "source": "salesforce",
        "data": {
            "crm_id": "CRM123",
            "firstName": "John",
            "lastName": "Doe",
            "emailAddress": "john@example.com",
            "phoneNumber": "+1234567890",
            "organization": "Example Corp",
        },
    }
    created = (await client.post("/agentvoice/api/webhook/crm", json=payload)).json()
    assert created["message"] == "Contact created successfully"
    assert created["contact"]["company"] == "Example Corp"
    updated = (await client.post("/agentvoice/api/webhook/crm", json=payload)).json()
    assert updated["message"] == "Contact updated successfully"
    assert updated["contact"]["id"] == created["contact"]["id"]


async def test_crm_webhook_without_crm_id_is_400_with_documented_error(app: FastAPI) -> None:
    client = await _agentvoice(app)
    refused = await client.post(
        "/agentvoice/api/webhook/crm", json={"source": "salesforce", "data": {}}
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "Invalid payload: source, data, and data.crm_id are required"


async def test_wrong_organization_is_401(app: FastAPI) -> None:
    owner = await signup(app)
    _, key = await owner.api_key_client()
    other = await signup(app)
    client = client_for(
        app, **{"x-api-key": key["rawKey"], "x-organization-id": other.workspace_id}
    )
    assert (await client.get("/agentvoice/api/contacts")).status_code == 401


async def test_duplicate_crm_id_is_409(app: FastAPI) -> None:
    client = await _agentvoice(app)
    body = {"first_name": "A", "crm_id": "X1", "crm_source": "hubspot"}
    await client.post("/agentvoice/api/contacts", json=body)
    assert (await client.post("/agentvoice/api/contacts", json=body)).status_code == 409
