"""Idempotency route-table entries for segments."""

from tests.factories import Actor
from tests.idempotency_registry import Call, Case, Excluded

FILTER = {"match": "all", "conditions": [{"field": "email", "operator": "is_set"}]}


async def create_segment(_actor: Actor) -> Call:
    return Call("/api/segments", {"name": "Has email", "filter": FILTER})


CASES: dict[str, Case] = {
    "/api/segments": create_segment,
    "/api/segments/preview": Excluded("a read: counts and lists contacts, creates nothing"),
}
