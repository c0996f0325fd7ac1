"""Idempotency-Key cases for the leads POST routes (see tests/idempotency_registry.py)."""

from __future__ import annotations

from tests.factories import Actor
from tests.idempotency_registry import Call
from tests.leads.route_cases import lead_body
from tests.pipeline_helpers import make_lead


async def create_lead(_actor: Actor) -> Call:
    return Call("/api/leads", lead_body())


async def import_leads(_actor: Actor) -> Call:
    return Call("/api/leads/import", {"leads": [lead_body(), lead_body()]})


async def convert_lead(actor: Actor) -> Call:
    lead = await make_lead(actor)
    return Call(f"/api/leads/{lead['id']}/convert", {"contactData": {"firstName": "Maria"}})


CASES = {
    "/api/leads": create_lead,
    "/api/leads/import": import_leads,
    "/api/leads/{lead_id}/convert": convert_lead,
}
