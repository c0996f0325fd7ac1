"""The application's route table, flattened, with what each route requires."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, routing
from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from kindred.app import create_app
from kindred.core.permissions import Permission
from tests.conftest import make_settings

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PARAM = re.compile(r"{(\w+)(?::[^}]*)?}")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    route: APIRoute

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    @property
    def has_body(self) -> bool:
        return self.route.body_field is not None or bool(
            (self.route.openapi_extra or {}).get("requestBody")
        )

    @property
    def query_params(self) -> set[str]:
        return {param.alias for param in _all_query_params(self.route.dependant)}

    @property
    def permission(self) -> Permission | None:
        """The permission its `require(...)` dependency checks, if any."""
        for name in _dependency_names(self.route.dependant):
            if name.startswith("require_"):
                return Permission[name.removeprefix("require_").upper()]
        return None

    @property
    def authenticated(self) -> bool:
        names = _dependency_names(self.route.dependant)
        return self.permission is not None or "authenticate" in names

    @property
    def admin_only(self) -> bool:
        return self.permission is not None and self.permission.level == "admin"

    def url(self, params: dict[str, str]) -> str:
        return _PARAM.sub(lambda match: params[match.group(1)], self.path)


def _dependency_names(dependant: Dependant) -> set[str]:
    names: set[str] = set()
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            names.add(getattr(dependency.call, "__name__", ""))
        names |= _dependency_names(dependency)
    return names


def _all_query_params(dependant: Dependant) -> list[ModelField]:
    found = list(dependant.query_params)
    for dependency in dependant.dependencies:
        found += _all_query_params(dependency)
    return found


def endpoints(app: FastAPI) -> list[Endpoint]:
    """One Endpoint per (method, path) of every API route, included routers flattened."""
    # FastAPI includes routers lazily; this is how its own router walks them.
    found = [
        Endpoint(method, route.path, route)
        for route in routing._iter_included_route_candidates(app.routes)
        if isinstance(route, APIRoute)
        for method in sorted(route.methods)
    ]
    return sorted(found, key=lambda endpoint: endpoint.key)


def current_app() -> FastAPI:
    """A freshly built app, never started (no database needed), for test parametrisation."""
    return create_app(make_settings("sqlite+aiosqlite:///:memory:", Path("/nonexistent-kindred")))


def current_endpoints() -> list[Endpoint]:
    return endpoints(current_app())
