"""Safety-matrix cases for the deal and pipeline routes (see tests/safety/registry.py)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant


def pipeline_body() -> dict[str, Any]:
    return {"name": f"Matrix {uuid.uuid4().hex[:8]}", "stages": [{"key": "OPEN"}]}


def stage_body() -> dict[str, Any]:
    return {"key": f"S_{uuid.uuid4().hex[:8]}", "probability": 5}


async def _create_deal(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post("/api/deals", json={"title": "Matrix deal"})
    assert response.status_code == 201, response.text
    return {"deal_id": response.json()["id"]}


async def _deal_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/deals/{params['deal_id']}")
    return response.json() if response.status_code == 200 else None


async def _create_pipeline(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post("/api/pipelines", json=pipeline_body())
    assert response.status_code == 201, response.text
    return {"pipeline_id": response.json()["id"]}


async def _pipeline_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/pipelines/{params['pipeline_id']}")
    return response.json() if response.status_code == 200 else None


CASES = [
    ObjectCase(
        paths=(
            "/api/deals/{deal_id}",
            "/api/deals/{deal_id}/stage",
            "/api/deals/{deal_id}/history",
        ),
        create=_create_deal,
        state=_deal_state,
    ),
    ObjectCase(
        paths=("/api/pipelines/{pipeline_id}", "/api/pipelines/{pipeline_id}/stages"),
        create=_create_pipeline,
        state=_pipeline_state,
    ),
]

BODIES = {
    "POST /api/deals": lambda: {"title": "Matrix deal", "value": 100},
    "PATCH /api/deals/{deal_id}": lambda: {"title": "Renamed"},
    "PATCH /api/deals/{deal_id}/stage": lambda: {"stage": "NEGOTIATION", "probability": 80},
    "POST /api/pipelines": pipeline_body,
    "PATCH /api/pipelines/{pipeline_id}": lambda: {"name": f"Renamed {uuid.uuid4().hex[:8]}"},
    "POST /api/pipelines/{pipeline_id}/stages": stage_body,
}
