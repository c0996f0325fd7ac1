"""Safety-matrix cases for the segment routes (see tests/safety/registry.py)."""

from __future__ import annotations

from typing import Any

from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant

FILTER = {"match": "all", "conditions": [{"field": "tags", "operator": "has", "value": "vip"}]}


async def _create_segment(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post(
        "/api/segments", json={"name": "Matrix", "filter": FILTER}
    )
    assert response.status_code == 201, response.text
    return {"segment_id": response.json()["id"]}


async def _segment_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/segments/{params['segment_id']}")
    return response.json() if response.status_code == 200 else None


CASES = [
    ObjectCase(
        paths=("/api/segments/{segment_id}", "/api/segments/{segment_id}/contacts"),
        create=_create_segment,
        state=_segment_state,
    )
]
BODIES = {
    "POST /api/segments": lambda: {"name": "Matrix", "filter": FILTER},
    "PUT /api/segments/{segment_id}": lambda: {"name": "Renamed", "filter": FILTER},
    "POST /api/segments/preview": lambda: {"filter": FILTER},
}
