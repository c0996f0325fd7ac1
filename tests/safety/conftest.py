"""Two tenants with the same data set, made through the API, shared by a module's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from tests.safety.fresh_apps import make_app
from tests.safety.registry import Registry, discover
from tests.safety.tenants import Tenant, make_tenant

REGISTRY = discover()
__all__ = ["make_app"]  # a fixture for apps with their own settings


@pytest.fixture(scope="module")
def registry() -> Registry:
    return REGISTRY


@pytest.fixture(scope="module")
async def tenant_a(app: FastAPI) -> AsyncIterator[Tenant]:
    tenant = await make_tenant(app, REGISTRY, "Tenant A")
    yield tenant
    await tenant.close()


@pytest.fixture(scope="module")
async def tenant_b(app: FastAPI) -> AsyncIterator[Tenant]:
    tenant = await make_tenant(app, REGISTRY, "Tenant B")
    yield tenant
    await tenant.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How much of the route table the safety net covered in this run."""
    from tests.safety.routes import current_endpoints
    from tests.safety.test_fuzz import FUZZ_CASES

    endpoints = current_endpoints()
    with_id = {e.path for e in endpoints if e.params}
    covered = {path for path in with_id if REGISTRY.case_for(path)}
    terminalreporter.write_line(
        f"safety net: {len(endpoints)} routes, {len(covered)}/{len(with_id)} id routes with a "
        f"case, {len(REGISTRY.cases)} object cases, {sum(FUZZ_CASES.values())} fuzz cases "
        f"over {len(FUZZ_CASES)} operations"
    )
