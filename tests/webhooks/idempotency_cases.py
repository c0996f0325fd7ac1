"""Idempotency route-table entries for webhooks."""

from __future__ import annotations

from tests.factories import Actor
from tests.idempotency_registry import Call, Case, Excluded
from tests.webhooks.route_cases import PUBLIC_URL


async def _endpoint(actor: Actor) -> str:
    body = {"url": PUBLIC_URL, "events": ["*"]}
    response = await actor.client.post("/api/webhook-endpoints", json=body)
    assert response.status_code == 201, response.text
    endpoint_id: str = response.json()["id"]
    return endpoint_id


async def create_endpoint(_actor: Actor) -> Call:
    return Call("/api/webhook-endpoints", {"url": PUBLIC_URL, "events": ["contact.created"]})


async def rotate_secret(actor: Actor) -> Call:
    return Call(f"/api/webhook-endpoints/{await _endpoint(actor)}/rotate-secret")


async def replay_since(actor: Actor) -> Call:
    endpoint_id = await _endpoint(actor)
    return Call(f"/api/webhook-endpoints/{endpoint_id}/replay?since=2020-01-01T00:00:00Z")


CASES: dict[str, Case] = {
    "/api/webhook-endpoints": create_endpoint,
    "/api/webhook-endpoints/{endpoint_id}/rotate-secret": rotate_secret,
    "/api/webhook-endpoints/{endpoint_id}/replay": replay_since,
    "/api/webhook-endpoints/{endpoint_id}/test": Excluded(
        "a diagnostic ping whose every send is wanted; it changes no state but its own log"
    ),
    "/api/webhook-deliveries/{delivery_id}/replay": Excluded(
        "needs a recorded delivery, which only a real outbound request makes (no network in CI);"
        " replaying is itself the explicit resend of tests/webhooks/test_endpoints.py"
    ),
}
