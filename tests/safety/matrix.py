"""The checks the matrices run, as functions returning failures (so that a test can also
prove they catch a broken route, see test_unscoped_route_is_caught.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.safety.registry import ObjectCase, Params, Registry
from tests.safety.routes import Endpoint
from tests.safety.tenants import Tenant

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


async def send(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    registry: Registry,
    params: Params | None = None,
    **headers: str,
) -> httpx.Response:
    body = registry.body_for(endpoint.key) if endpoint.method in BODY_METHODS else None
    return await client.request(
        endpoint.method, endpoint.url(params or {}), json=body, headers=headers
    )


def params_for(endpoint: Endpoint, registry: Registry, tenant: Tenant) -> Params:
    """The path parameters of the tenant's object for this route; fails clearly without a case."""
    case = registry.case_for(endpoint.path)
    if case is None:
        if endpoint.params:
            pytest.fail(f"no route case for {endpoint.path} (see tests/safety/registry.py)")
        return {}
    return tenant.objects[case]


def leaked_ids(response: httpx.Response, owner: Tenant) -> set[str]:
    return {object_id for object_id in owner.ids() if object_id in response.text}


async def isolation_failures(
    endpoint: Endpoint, case: ObjectCase, registry: Registry, owner: Tenant, intruder: Tenant
) -> list[str]:
    """The intruder's admin key must get 404 for the owner's object and change nothing."""
    params = owner.objects[case]
    before = await case.state(owner, params)
    response = await send(intruder.key_client, endpoint, registry, params)
    failures = []
    if response.status_code != 404:
        failures.append(f"{endpoint.key}: another workspace got {response.status_code}, not 404")
    if leaked := leaked_ids(response, owner):
        failures.append(f"{endpoint.key}: response leaked {sorted(leaked)}")
    if await case.state(owner, params) != before:
        failures.append(f"{endpoint.key}: another workspace changed the object")
    return failures


async def foreign_workspace_failures(
    endpoint: Endpoint, registry: Registry, owner: Tenant, intruder: Tenant, params: Params
) -> list[str]:
    """X-Workspace-Id naming a workspace the caller is not in: 403 or 404, never data."""
    failures = []
    for client in (intruder.key_client, intruder.admin.client):
        response = await send(
            client, endpoint, registry, params, **{"x-workspace-id": owner.workspace_id}
        )
        if response.status_code not in (403, 404):
            failures.append(f"{endpoint.key}: foreign X-Workspace-Id got {response.status_code}")
        if leaked := leaked_ids(response, owner):
            failures.append(f"{endpoint.key}: foreign X-Workspace-Id leaked {sorted(leaked)}")
    return failures


async def snapshot(
    endpoint: Endpoint, registry: Registry, tenant: Tenant, collection: set[str]
) -> Any:
    """What a write through this route could change, read back as the tenant's admin."""
    case = registry.case_for(endpoint.path)
    if case is not None:
        return await case.state(tenant, tenant.objects[case])
    if endpoint.path in collection:
        return (await tenant.admin.client.get(endpoint.path)).json()
    return None
