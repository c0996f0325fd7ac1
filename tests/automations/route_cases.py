"""Safety-matrix cases for the workflow and automation-rule routes (tests/safety/registry.py)."""

from __future__ import annotations

from typing import Any

from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant

WORKFLOW = {
    "name": "Matrix",
    "trigger": "TAG_ADDED",
    "actions": [{"type": "ADD_TAG", "config": {"tag": "seen"}}],
}
RULE = {"name": "Matrix", "config": {"actions": [{"type": "add_tag", "tag": "seen"}]}}


async def _create_workflow(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post("/api/workflows", json=WORKFLOW)
    assert response.status_code == 201, response.text
    return {"workflow_id": response.json()["id"]}


async def _workflow_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/workflows/{params['workflow_id']}")
    return response.json() if response.status_code == 200 else None


async def _create_rule(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post("/api/automations", json=RULE)
    assert response.status_code == 201, response.text
    return {"rule_id": response.json()["id"]}


async def _rule_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/automations/{params['rule_id']}")
    return response.json() if response.status_code == 200 else None


CASES = [
    ObjectCase(
        paths=("/api/workflows/{workflow_id}", "/api/workflows/{workflow_id}/runs"),
        create=_create_workflow,
        state=_workflow_state,
    ),
    ObjectCase(
        paths=("/api/automations/{rule_id}", "/api/automations/{rule_id}/run"),
        create=_create_rule,
        state=_rule_state,
    ),
]
BODIES = {
    "POST /api/workflows": lambda: WORKFLOW,
    "PUT /api/workflows/{workflow_id}": lambda: {"name": "Renamed"},
    "POST /api/automations": lambda: RULE,
    "PUT /api/automations/{rule_id}": lambda: {"name": "Renamed"},
}
