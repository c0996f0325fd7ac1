"""Safety-matrix cases for the campaign routes (see tests/safety/registry.py)."""

from __future__ import annotations

from typing import Any

from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant

BASE = "/api/campaigns/{campaign_id}"


async def _create(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post(
        "/api/campaigns", json={"name": "Matrix", "subject": "Hi", "body": "<p>Hi</p>"}
    )
    assert response.status_code == 201, response.text
    return {"campaign_id": response.json()["id"]}


async def _state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/campaigns/{params['campaign_id']}")
    return response.json() if response.status_code == 200 else None


CASES = [
    ObjectCase(
        paths=(
            BASE,
            f"{BASE}/send",
            f"{BASE}/preview",
            f"{BASE}/emails",
            f"{BASE}/pause",
            f"{BASE}/resume",
            f"{BASE}/cancel",
        ),
        create=_create,
        state=_state,
    )
]

BODIES = {
    "POST /api/campaigns": lambda: {"name": "Matrix", "subject": "Hi", "body": "<p>Hi</p>"},
    f"PUT {BASE}": lambda: {"name": "Renamed"},
    f"POST {BASE}/preview": lambda: {"email": "preview@example.com"},
}

# Recipients follow signed links from their mail client: the token is the credential.
PUBLIC = {
    "GET /api/campaigns/unsubscribe",
    "POST /api/campaigns/unsubscribe",
    "GET /api/campaigns/open/{token}.gif",
    "GET /api/campaigns/click/{token}",
}
