"""Route cases for the foundation's routes (api-keys, users, workspaces, auth); see registry."""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import PASSWORD, unique_email
from tests.safety.registry import ObjectCase, Params
from tests.safety.tenants import Tenant


def _find(items: list[dict[str, Any]], object_id: str) -> dict[str, Any] | None:
    return next((item for item in items if item["id"] == object_id), None)


async def _create_key(tenant: Tenant) -> Params:
    response = await tenant.admin.client.post("/api/api-keys", json={"name": "matrix key"})
    assert response.status_code == 201, response.text
    return {"key_id": response.json()["id"]}


async def _key_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get("/api/api-keys")
    return _find(response.json(), params["key_id"])


async def _create_member(tenant: Tenant) -> Params:
    body = {"email": unique_email("matrix"), "name": "Matrix", "role": "member"}
    response = await tenant.admin.client.post("/api/users", json=body)
    assert response.status_code == 201, response.text
    return {"user_id": response.json()["id"]}


async def _member_state(tenant: Tenant, params: Params) -> Any:
    response = await tenant.admin.client.get("/api/users")
    return _find(response.json(), params["user_id"])


CASES = [
    ObjectCase(paths=("/api/api-keys/{key_id}",), create=_create_key, state=_key_state),
    ObjectCase(paths=("/api/users/{user_id}",), create=_create_member, state=_member_state),
]


def _signup() -> dict[str, Any]:
    return {
        "name": "Fuzz Owner",
        "email": unique_email("signup"),
        "password": PASSWORD,
        "businessName": "Matrix Inc",
        "industry": "Technology",
    }


BODIES = {
    "POST /api/api-keys": lambda: {"name": "matrix key"},
    "POST /api/users": lambda: {"email": unique_email("added"), "name": "Added", "role": "member"},
    "PUT /api/users/{user_id}": lambda: {"role": "admin"},
    "POST /api/workspaces": lambda: {"name": f"Workspace {uuid.uuid4().hex[:6]}"},
    "POST /api/signup": _signup,
    "POST /api/auth/signin": lambda: {"email": unique_email("nobody"), "password": PASSWORD},
}

SELF_SERVICE = {"POST /api/workspaces"}

PUBLIC = {
    "POST /api/signup",
    "POST /api/auth/signin",
    "POST /api/auth/signout",  # reads the cookie itself; without one it is a 401
    "GET /api/health",
    "GET /api/health/database",
    "GET /api/health/redis",
    "GET /api/health/queue",
    "GET /metrics",  # its own bearer token (KINDRED_METRICS_TOKEN), no user credentials
}
