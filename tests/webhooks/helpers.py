"""Shared steps of the webhook tests: endpoints made over the API, deliveries read back."""

from __future__ import annotations

from typing import Any

from tests.factories import Actor, unique_email


async def make_endpoint(
    actor: Actor, url: str, events: list[str] | None = None, **extra: Any
) -> Any:
    body = {"url": url, "events": events or ["*"], **extra}
    response = await actor.client.post("/api/webhook-endpoints", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def make_contact(actor: Actor, **fields: Any) -> Any:
    body = {"firstName": "Ada", "email": unique_email("contact"), **fields}
    response = await actor.client.post("/api/contacts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def deliveries(actor: Actor, endpoint_id: str, query: str = "") -> list[Any]:
    response = await actor.client.get(f"/api/webhook-endpoints/{endpoint_id}/deliveries{query}")
    assert response.status_code == 200, response.text
    found: list[Any] = response.json()["deliveries"]
    return found
