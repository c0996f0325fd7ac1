"""Route cases: how the safety matrices reach every route, including routes added later.

The matrices in this package enumerate the application's own route table. A route with a
path parameter cannot be exercised without an object to put in it, so every test package
contributes the cases for its own routes in `tests/<package>/route_cases.py`; this module
discovers all of them (no central list to edit). A route with a path id and no case makes
`test_every_route_with_a_path_id_has_a_case` fail, naming the route.

A `route_cases.py` module may define any of:

- `CASES: list[ObjectCase]`: `paths` are the route templates the object fills (e.g.
  `("/api/contacts/{contact_id}", "/api/contacts/{contact_id}/notes")`); `create(tenant)`
  makes a fresh object through the API as the tenant's admin and returns the path
  parameters (`{"contact_id": "…"}`); `state(tenant, params)` returns the object as its
  owner sees it (JSON, or None when gone), used to prove a refused request changed nothing.
- `BODIES: dict[str, BodyFactory]`: `"METHOD /template"` -> a function returning a valid
  JSON body for that route (called per request, so unique emails are possible). Every
  write route with a JSON body needs one: the matrices send valid bodies so that a refusal
  comes from tenancy or roles, not from validation.
- `SELF_SERVICE: set[str]`: `"METHOD /template"` of write routes that any signed-in user
  may call whatever their role (create a workspace, sign out).
- `PUBLIC: set[str]`: routes that take no credentials at all (sign-up, sign-in, webhooks).

See `tests/safety/route_cases.py` (api-keys, users) for an example.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import tests

if TYPE_CHECKING:
    from tests.safety.tenants import Tenant

Params = dict[str, str]
BodyFactory = Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class ObjectCase:
    paths: tuple[str, ...]
    create: Callable[[Tenant], Awaitable[Params]]
    state: Callable[[Tenant, Params], Awaitable[Any]]


@dataclass
class Registry:
    cases: list[ObjectCase] = field(default_factory=list)
    bodies: dict[str, BodyFactory] = field(default_factory=dict)
    self_service: set[str] = field(default_factory=set)
    public: set[str] = field(default_factory=set)

    def case_for(self, path: str) -> ObjectCase | None:
        return next((case for case in self.cases if path in case.paths), None)

    def body_for(self, key: str) -> dict[str, Any]:
        factory = self.bodies.get(key)
        return factory() if factory else {}

    def merge(self, module: Any) -> None:
        self.cases += getattr(module, "CASES", [])
        self.bodies |= getattr(module, "BODIES", {})
        self.self_service |= getattr(module, "SELF_SERVICE", set())
        self.public |= getattr(module, "PUBLIC", set())


def discover() -> Registry:
    """Every `tests/<package>/route_cases.py`, merged."""
    registry = Registry()
    for info in sorted(pkgutil.iter_modules(tests.__path__), key=lambda i: i.name):
        name = f"tests.{info.name}.route_cases"
        if info.ispkg and importlib.util.find_spec(name) is not None:
            registry.merge(importlib.import_module(name))
    return registry
