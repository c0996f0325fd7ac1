"""Role matrix over the whole route table: viewers cannot write, members cannot administer."""

from __future__ import annotations

import pytest

from tests.factories import Actor
from tests.safety.conftest import REGISTRY
from tests.safety.matrix import params_for, send, snapshot
from tests.safety.registry import Registry
from tests.safety.routes import Endpoint, current_endpoints
from tests.safety.tenants import Tenant

ENDPOINTS = [e for e in current_endpoints() if e.key not in REGISTRY.public]
COLLECTIONS = {e.path for e in ENDPOINTS if e.method == "GET" and not e.params}
# A POST that only reads (search, preview) declares a read permission: viewers may call it.
ROLE_CHECKED_WRITES = [
    e for e in ENDPOINTS if e.is_write and e.permission is not None and e.permission.level != "read"
]
ADMIN_ONLY = [e for e in ENDPOINTS if e.admin_only]


def test_every_write_route_checks_a_role_or_is_declared() -> None:
    undeclared = [
        e.key
        for e in ENDPOINTS
        if e.is_write and e.permission is None and e.key not in REGISTRY.self_service
    ]
    assert not undeclared, (
        f"write routes without a require(...) permission: {undeclared}; use a permission "
        "alias, or list them in SELF_SERVICE/PUBLIC of tests/<domain>/route_cases.py"
    )


async def _assert_refused(
    endpoint: Endpoint, registry: Registry, tenant: Tenant, actor: Actor
) -> None:
    params = params_for(endpoint, registry, tenant)
    before = await snapshot(endpoint, registry, tenant, COLLECTIONS) if endpoint.is_write else None
    response = await send(actor.client, endpoint, registry, params)
    assert response.status_code == 403, f"{actor.role} got {response.status_code}"
    assert response.json()["code"] == "FORBIDDEN"
    if endpoint.is_write:
        assert await snapshot(endpoint, registry, tenant, COLLECTIONS) == before


@pytest.mark.parametrize("endpoint", ROLE_CHECKED_WRITES, ids=lambda e: e.key)
async def test_viewer_cannot_write(
    endpoint: Endpoint, registry: Registry, tenant_a: Tenant
) -> None:
    await _assert_refused(endpoint, registry, tenant_a, tenant_a.viewer)


@pytest.mark.parametrize("endpoint", ADMIN_ONLY, ids=lambda e: e.key)
async def test_member_cannot_use_admin_routes(
    endpoint: Endpoint, registry: Registry, tenant_a: Tenant
) -> None:
    await _assert_refused(endpoint, registry, tenant_a, tenant_a.member)
