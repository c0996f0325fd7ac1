"""Safety-matrix cases for the appointment routes (see tests/safety/registry.py)."""

from __future__ import annotations

from typing import Any

from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant


def appointment_body() -> dict[str, Any]:
    return {
        "title": "Matrix meeting",
        "startTime": "2025-11-20T10:00:00Z",
        "endTime": "2025-11-20T11:00:00Z",
        "allowOverlap": True,
    }


async def _create_appointment(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post("/api/appointments", json=appointment_body())
    assert response.status_code == 201, response.text
    return {"appointment_id": response.json()["id"]}


async def _appointment_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get(f"/api/appointments/{params['appointment_id']}")
    return response.json() if response.status_code == 200 else None


CASES = [
    ObjectCase(
        paths=("/api/appointments/{appointment_id}",),
        create=_create_appointment,
        state=_appointment_state,
    )
]

BODIES = {
    "POST /api/appointments": appointment_body,
    "PATCH /api/appointments/{appointment_id}": lambda: {"title": "Renamed", "allowOverlap": True},
}

# Any role may subscribe to its own calendar (viewers included).
SELF_SERVICE = {"POST /api/appointments/feed-token"}
