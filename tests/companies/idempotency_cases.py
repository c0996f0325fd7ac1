"""Idempotency route-table entries for companies."""

from __future__ import annotations

from tests.factories import Actor
from tests.idempotency_registry import Call, Case


async def create_company(_actor: Actor) -> Call:
    return Call("/api/companies", {"name": "Acme Corporation", "website": "https://acme.com"})


CASES: dict[str, Case] = {"/api/companies": create_company}
