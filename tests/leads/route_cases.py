"""Safety-matrix cases for the leads routes (see tests/safety/registry.py)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant


def lead_body() -> dict[str, Any]:
    return {"businessName": f"Matrix {uuid.uuid4().hex[:8]}", "city": "Miami"}


async def _create_lead(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post("/api/leads", json=lead_body())
    assert response.status_code == 201, response.text
    return {"lead_id": response.json()["id"]}


async def _lead_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/leads/{params['lead_id']}")
    return response.json() if response.status_code == 200 else None


CASES = [
    ObjectCase(
        paths=("/api/leads/{lead_id}", "/api/leads/{lead_id}/convert"),
        create=_create_lead,
        state=_lead_state,
    )
]

BODIES = {
    "POST /api/leads": lead_body,
    "POST /api/leads/import": lambda: {"leads": [lead_body()], "source": "import"},
    "PATCH /api/leads/{lead_id}": lambda: {"notes": "matrix"},
    "POST /api/leads/{lead_id}/convert": lambda: {
        "contactData": {"firstName": "Maria"},
        "companyName": "Matrix Co",
    },
}
