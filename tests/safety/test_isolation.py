"""Tenant isolation over the whole route table: another workspace never reaches an object."""

from __future__ import annotations

import pytest

from tests.safety.conftest import REGISTRY
from tests.safety.matrix import (
    foreign_workspace_failures,
    isolation_failures,
    leaked_ids,
    params_for,
)
from tests.safety.registry import Registry
from tests.safety.routes import Endpoint, current_endpoints
from tests.safety.tenants import Tenant

ENDPOINTS = [e for e in current_endpoints() if e.key not in REGISTRY.public]
WITH_ID = [e for e in ENDPOINTS if e.params]
LISTS = [e for e in ENDPOINTS if e.method == "GET" and not e.params and e.authenticated]
AUTHENTICATED = [e for e in ENDPOINTS if e.authenticated]


def test_every_route_with_a_path_id_has_a_case() -> None:
    missing = sorted({e.path for e in WITH_ID if REGISTRY.case_for(e.path) is None})
    assert not missing, (
        f"routes with a path id and no isolation case: {missing}; add an ObjectCase in "
        "tests/<domain>/route_cases.py (see tests/safety/registry.py)"
    )


@pytest.mark.parametrize("endpoint", WITH_ID, ids=lambda e: e.key)
async def test_another_workspace_gets_404_and_changes_nothing(
    endpoint: Endpoint, registry: Registry, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    case = registry.case_for(endpoint.path)
    assert case is not None, f"no route case for {endpoint.path}"
    assert await isolation_failures(endpoint, case, registry, tenant_a, tenant_b) == []


@pytest.mark.parametrize("endpoint", LISTS, ids=lambda e: e.key)
async def test_lists_never_show_another_workspace_ids(
    endpoint: Endpoint, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    response = await tenant_b.key_client.get(endpoint.path)
    assert response.status_code < 500
    assert leaked_ids(response, tenant_a) == set()


@pytest.mark.parametrize("endpoint", AUTHENTICATED, ids=lambda e: e.key)
async def test_foreign_workspace_header_is_refused(
    endpoint: Endpoint, registry: Registry, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    params = params_for(endpoint, registry, tenant_a)
    assert await foreign_workspace_failures(endpoint, registry, tenant_a, tenant_b, params) == []
