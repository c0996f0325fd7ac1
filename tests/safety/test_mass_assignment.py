"""Mass assignment over every create/update route: forged fields are never stored."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from kindred.core.db.session import Database
from tests.conftest import client_for
from tests.safety.probe import (
    FORGED_NUMBER,
    FORGED_TEXT,
    FORGED_TIME,
    SENTINEL_ID,
    forged_rows,
    owned_rows,
)
from tests.safety.registry import Registry
from tests.safety.routes import Endpoint, current_endpoints
from tests.safety.tenants import Tenant

BODY_ROUTES = [
    e for e in current_endpoints() if e.method in ("POST", "PUT", "PATCH") and e.has_body
]
# Never settable by a caller, in either spelling the API accepts.
FORBIDDEN = {
    "id",
    "workspaceId",
    "createdAt",
    "updatedAt",
    "isPlatformAdmin",
    "keyHash",
    "passwordHash",
    "tokenHash",
}
COUNTERS = ("usageCount", "count", "credits", "balance", "sentCount", "contactCount")


def _declared(app: FastAPI, endpoint: Endpoint) -> set[str]:
    operation = app.openapi()["paths"][endpoint.path][endpoint.method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if ref := schema.get("$ref"):
        schema = app.openapi()["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return set(schema.get("properties", {}))


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _forged(other: Tenant, declared: set[str]) -> dict[str, Any]:
    camel: dict[str, Any] = {
        "id": str(SENTINEL_ID),
        "workspaceId": other.workspace_id,
        "userId": other.admin.user_id,
        "createdAt": FORGED_TIME.isoformat(),
        "updatedAt": FORGED_TIME.isoformat(),
        "isPlatformAdmin": True,
        "keyHash": FORGED_TEXT,
        "passwordHash": FORGED_TEXT,
        "tokenHash": FORGED_TEXT,
    } | dict.fromkeys(COUNTERS, FORGED_NUMBER)
    forged = {name: value for name, value in camel.items() if name not in declared}
    return forged | {_snake(name): value for name, value in forged.items()}


@pytest.mark.parametrize("endpoint", BODY_ROUTES, ids=lambda e: e.key)
def test_no_input_schema_declares_a_forbidden_field(app: FastAPI, endpoint: Endpoint) -> None:
    assert _declared(app, endpoint) & FORBIDDEN == set()


@pytest.mark.parametrize("endpoint", BODY_ROUTES, ids=lambda e: e.key)
async def test_forged_fields_are_never_stored(
    app: FastAPI,
    database: Database,
    endpoint: Endpoint,
    registry: Registry,
    tenant_a: Tenant,
    tenant_b: Tenant,
) -> None:
    assert endpoint.key in registry.bodies, f"no body in any route_cases.py for {endpoint.key}"
    case = registry.case_for(endpoint.path)
    params = await case.create(tenant_a) if case else {}
    body = registry.body_for(endpoint.key) | _forged(tenant_b, _declared(app, endpoint))
    others_before = await owned_rows(database, tenant_b.workspace_id, tenant_b.admin.user_id)

    async with client_for(app) as anonymous:
        client = anonymous if endpoint.key in registry.public else tenant_a.admin.client
        response = await client.request(endpoint.method, endpoint.url(params), json=body)

    assert response.status_code < 500, response.text
    assert str(SENTINEL_ID) not in response.text
    assert "2001-02-03" not in response.text
    assert await forged_rows(database) == {}
    assert await owned_rows(database, tenant_b.workspace_id, tenant_b.admin.user_id) == (
        others_before
    )
