"""How the route-table idempotency test calls each POST route; every POST route needs an entry.

`tests/core/test_idempotency_routes.py` lists the app's POST routes and fails for one with no
entry here. Entries live beside each domain's tests, in `tests/<domain>/idempotency_cases.py`,
which defines `CASES`: route path (as declared, e.g. `/api/contacts/{contact_id}/notes`) to
either an async function that prepares what the call needs and returns the `Call` to send, or
`Excluded("why")` for a route that creates and sends nothing worth replaying:

    from tests.factories import Actor
    from tests.idempotency_registry import Call, Excluded

    async def create_contact(actor: Actor) -> Call:
        return Call("/api/contacts", {"firstName": "Ada"})

    CASES = {
        "/api/contacts": create_contact,
        "/api/auth/signin": Excluded("anonymous: there is no workspace to scope a key to"),
    }

The case runs with a fresh admin Actor of a new workspace; the test sends its Call twice with
one Idempotency-Key and expects a success, then the same status and body marked as replayed.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import tests
from tests.factories import Actor


@dataclass(frozen=True)
class Call:
    path: str
    json: Any = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Excluded:
    reason: str


Case = Callable[[Actor], Awaitable[Call]] | Excluded


def discover() -> dict[str, Case]:
    """Every `CASES` of `tests/<package>/idempotency_cases.py`; a path declared twice fails."""
    found: dict[str, Case] = {}
    for info in pkgutil.iter_modules(tests.__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{info.name}.idempotency_cases")
        except ModuleNotFoundError as error:
            if error.name != f"tests.{info.name}.idempotency_cases":
                raise
            continue
        for path, case in module.CASES.items():
            if path in found:
                raise ValueError(f"idempotency case for {path} is declared twice")
            found[path] = case
    return found
