"""Objects of the sales pipeline made through the API, shared by its test packages."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from kindred.core.db.session import Database
from tests.factories import Actor


async def make_contact(actor: Actor, first: str = "Alice", last: str = "Johnson") -> str:
    email = f"{first.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    response = await actor.client.post(
        "/api/contacts", json={"firstName": first, "lastName": last, "email": email}
    )
    assert response.status_code == 201, response.text
    contact_id: str = response.json()["id"]
    return contact_id


async def make_lead(actor: Actor, **fields: Any) -> dict[str, Any]:
    body = {"businessName": "Sunshine Dental", "city": "Miami", "category": "dentist"} | fields
    response = await actor.client.post("/api/leads", json=body)
    assert response.status_code == 201, response.text
    lead: dict[str, Any] = response.json()
    return lead


async def make_deal(actor: Actor, **fields: Any) -> dict[str, Any]:
    body = {"title": "Website Redesign", "value": 15000, "stage": "PROPOSAL"} | fields
    response = await actor.client.post("/api/deals", json=body)
    assert response.status_code == 201, response.text
    deal: dict[str, Any] = response.json()
    return deal


async def make_appointment(actor: Actor, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Consultation Call",
        "startTime": "2025-11-18T14:00:00Z",
        "endTime": "2025-11-18T15:00:00Z",
    } | fields
    response = await actor.client.post("/api/appointments", json=body)
    assert response.status_code == 201, response.text
    appointment: dict[str, Any] = response.json()
    return appointment


async def interactions_of(actor: Actor, contact_id: str) -> list[dict[str, Any]]:
    response = await actor.client.get(f"/api/contacts/{contact_id}/interactions")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["interactions"]
    return items


@contextmanager
def counting_statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements run while the block runs (to hold routes to their query counts)."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
