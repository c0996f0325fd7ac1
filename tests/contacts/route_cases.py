"""Safety-matrix cases for the contacts routes (see tests/safety/registry.py)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import unique_email
from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant


async def _create_contact(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post(
        "/api/contacts", json={"firstName": "Matrix", "email": unique_email("contact")}
    )
    assert response.status_code == 201, response.text
    return {"contact_id": response.json()["id"]}


async def _contact_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/contacts/{params['contact_id']}")
    return response.json() if response.status_code == 200 else None


async def _create_tag(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post("/api/tags", json={"name": uuid.uuid4().hex[:8]})
    assert response.status_code == 201, response.text
    return {"tag_id": response.json()["id"]}


async def _tag_state(tenant: Tenant, params: Params) -> Any:
    tags = (await tenant.admin.client.get("/api/tags")).json()
    return next((tag for tag in tags if tag["id"] == params["tag_id"]), None)


async def _create_field(tenant: Tenant) -> Params:
    body = {"name": f"f{uuid.uuid4().hex[:8]}", "label": "F", "fieldType": "text"}
    response = await tenant.admin.client.post("/api/fields", json=body)
    assert response.status_code == 201, response.text
    return {"field_id": response.json()["id"]}


async def _field_state(tenant: Tenant, params: Params) -> Any:
    fields = (await tenant.admin.client.get("/api/fields")).json()
    return next((field for field in fields if field["id"] == params["field_id"]), None)


async def _create_interaction(tenant: Tenant) -> Params:
    contact = await _create_contact(tenant)
    response = await tenant.admin.client.post(
        f"/api/contacts/{contact['contact_id']}/interactions", json={"type": "note", "body": "x"}
    )
    assert response.status_code == 201, response.text
    return {"interaction_id": response.json()["id"], **contact}


async def _interaction_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/contacts/{params['contact_id']}/interactions")
    found = response.json()["interactions"]
    return next((item for item in found if item["id"] == params["interaction_id"]), None)


async def _create_import_job(tenant: Tenant) -> Params:
    """Import jobs are made by large imports; the matrix only needs a foreign id to probe."""
    return {"job_id": str(uuid.uuid4())}


async def _no_state(tenant: Tenant, params: Params) -> Any:
    return None


CONTACT_PATHS = (
    "/api/contacts/{contact_id}",
    "/api/contacts/{contact_id}/interactions",
    "/api/contacts/{contact_id}/tags",
    "/agentvoice/api/contacts/{contact_id}",
)

CASES = [
    ObjectCase(paths=CONTACT_PATHS, create=_create_contact, state=_contact_state),
    ObjectCase(paths=("/api/tags/{tag_id}",), create=_create_tag, state=_tag_state),
    ObjectCase(paths=("/api/fields/{field_id}",), create=_create_field, state=_field_state),
    ObjectCase(
        paths=("/api/interactions/{interaction_id}",),
        create=_create_interaction,
        state=_interaction_state,
    ),
    ObjectCase(
        paths=("/api/contacts/import/{job_id}",), create=_create_import_job, state=_no_state
    ),
]

BODIES = {
    "POST /api/contacts": lambda: {"firstName": "M", "email": unique_email("c")},
    "PUT /api/contacts/{contact_id}": lambda: {"lastName": "Changed"},
    "PATCH /api/contacts/{contact_id}": lambda: {"lastName": "Changed"},
    "POST /api/contacts/{contact_id}/interactions": lambda: {"type": "note", "body": "n"},
    "POST /api/contacts/{contact_id}/tags": lambda: {"tagId": str(uuid.uuid4())},
    "DELETE /api/contacts/{contact_id}/tags": lambda: {"tagId": str(uuid.uuid4())},
    "POST /api/tags": lambda: {"name": uuid.uuid4().hex[:8]},
    "PUT /api/tags/{tag_id}": lambda: {"color": "#000000"},
    "POST /api/fields": lambda: {
        "name": f"f{uuid.uuid4().hex[:8]}",
        "label": "F",
        "fieldType": "text",
    },
    "PUT /api/fields/{field_id}": lambda: {"label": "Changed"},
    "POST /api/contacts/import": lambda: {"rows": [{"email": unique_email("i")}]},
    "POST /api/webhook/crm": lambda: {"source": "hubspot", "data": {"crm_id": uuid.uuid4().hex}},
    "POST /agentvoice/api/contacts": lambda: {"first_name": "M", "email": unique_email("a")},
    "PATCH /agentvoice/api/contacts/{contact_id}": lambda: {"last_name": "Changed"},
    "POST /agentvoice/api/webhook/crm": lambda: {
        "source": "hubspot",
        "data": {"crm_id": uuid.uuid4().hex},
    },
}
