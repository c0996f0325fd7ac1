"""Idempotency-Key cases for the deal and pipeline POST routes (tests/idempotency_registry.py)."""

from __future__ import annotations

from tests.deals.route_cases import pipeline_body, stage_body
from tests.factories import Actor
from tests.idempotency_registry import Call


async def create_deal(_actor: Actor) -> Call:
    return Call("/api/deals", {"title": "Replayed deal", "value": 100})


async def create_pipeline(_actor: Actor) -> Call:
    return Call("/api/pipelines", pipeline_body())


async def add_stage(actor: Actor) -> Call:
    pipelines = (await actor.client.get("/api/pipelines")).json()["pipelines"]
    return Call(f"/api/pipelines/{pipelines[0]['id']}/stages", stage_body())


CASES = {
    "/api/deals": create_deal,
    "/api/pipelines": create_pipeline,
    "/api/pipelines/{pipeline_id}/stages": add_stage,
}
