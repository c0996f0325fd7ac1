"""Idempotency route-table entries for API keys."""

from tests.factories import Actor
from tests.idempotency_registry import Call, Case


async def create_key(_actor: Actor) -> Call:
    return Call("/api/api-keys", {"name": "Zapier"})


CASES: dict[str, Case] = {"/api/api-keys": create_key}
