"""Safety-matrix cases for the webhook routes (see tests/safety/registry.py)."""

from __future__ import annotations

from typing import Any

from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant

# A public address literal: accepted with the default settings without a DNS lookup.
PUBLIC_URL = "https://93.184.215.14/hook"


async def _create_endpoint(tenant: Tenant) -> Params:
    body = {"url": PUBLIC_URL, "events": ["*"]}
    response = await tenant.admin.client.post("/api/webhook-endpoints", json=body)
    assert response.status_code == 201, response.text
    return {"endpoint_id": response.json()["id"]}


async def _endpoint_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/webhook-endpoints/{params['endpoint_id']}")
    return response.json() if response.status_code == 200 else None


async def _create_delivery(tenant: Tenant) -> Params:
    """A ping's delivery (its request fails without network, which is recorded all the same)."""
    endpoint = await _create_endpoint(tenant)
    response = await tenant.admin.client.post(
        f"/api/webhook-endpoints/{endpoint['endpoint_id']}/test"
    )
    assert response.status_code == 200, response.text
    return {"delivery_id": response.json()["id"], **endpoint}


async def _delivery_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(
        f"/api/webhook-endpoints/{params['endpoint_id']}/deliveries"
    )
    return response.json() if response.status_code == 200 else None


CASES = [
    ObjectCase(
        paths=(
            "/api/webhook-endpoints/{endpoint_id}",
            "/api/webhook-endpoints/{endpoint_id}/rotate-secret",
            "/api/webhook-endpoints/{endpoint_id}/test",
            "/api/webhook-endpoints/{endpoint_id}/deliveries",
            "/api/webhook-endpoints/{endpoint_id}/replay",
        ),
        create=_create_endpoint,
        state=_endpoint_state,
    ),
    ObjectCase(
        paths=("/api/webhook-deliveries/{delivery_id}/replay",),
        create=_create_delivery,
        state=_delivery_state,
    ),
]

BODIES = {
    "POST /api/webhook-endpoints": lambda: {"url": PUBLIC_URL, "events": ["*"]},
    "PATCH /api/webhook-endpoints/{endpoint_id}": lambda: {"description": "Changed"},
}
