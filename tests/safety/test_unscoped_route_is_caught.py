"""The isolation matrix catches a route that forgets the workspace filter."""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from kindred.api_keys.repository import ApiKeyLookup
from kindred.core.db.session import DbSession
from kindred.core.deps import WorkspaceAdmin
from kindred.core.errors import NotFound
from tests.safety.matrix import isolation_failures
from tests.safety.registry import ObjectCase, Registry
from tests.safety.route_cases import CASES
from tests.safety.routes import endpoints
from tests.safety.tenants import make_tenant

UNSCOPED = "/api/unscoped-keys/{key_id}"


def _add_unscoped_route(app: FastAPI) -> None:
    """A deliberately broken route: it reads an API key by id with no workspace filter."""

    async def read_any_key(
        key_id: uuid.UUID, _principal: WorkspaceAdmin, session: DbSession
    ) -> dict[str, str]:
        key = await ApiKeyLookup(session).get(key_id)
        if key is None:
            raise NotFound()
        return {"id": str(key.id), "name": key.name}

    app.add_api_route(UNSCOPED, read_any_key, methods=["GET"])


async def test_isolation_matrix_reports_an_unscoped_route(app: FastAPI) -> None:
    _add_unscoped_route(app)
    key_case = CASES[0]
    case = ObjectCase(paths=(UNSCOPED,), create=key_case.create, state=key_case.state)
    registry = Registry(cases=[case])
    owner = await make_tenant(app, registry, "Owner")
    intruder = await make_tenant(app, registry, "Intruder")
    endpoint = next(e for e in endpoints(app) if e.path == UNSCOPED)

    failures = await isolation_failures(endpoint, case, registry, owner, intruder)

    assert f"GET {UNSCOPED}: another workspace got 200, not 404" in failures
    assert any("leaked" in failure for failure in failures)
