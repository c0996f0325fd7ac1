"""Safety-matrix cases for the company routes (see tests/safety/registry.py)."""

from __future__ import annotations

from typing import Any

from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant


async def _create_company(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post("/api/companies", json={"name": "Matrix Co"})
    assert response.status_code == 201, response.text
    return {"company_id": response.json()["id"]}


async def _company_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/companies/{params['company_id']}")
    return response.json() if response.status_code == 200 else None


CASES = [
    ObjectCase(
        paths=("/api/companies/{company_id}", "/api/companies/{company_id}/contacts"),
        create=_create_company,
        state=_company_state,
    )
]

BODIES = {
    "POST /api/companies": lambda: {"name": "Matrix Co"},
    "PUT /api/companies/{company_id}": lambda: {"notes": "changed"},
}
