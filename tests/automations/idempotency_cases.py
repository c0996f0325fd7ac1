"""Idempotency route-table entries for workflows and automation rules."""

from tests.automations.route_cases import RULE, WORKFLOW
from tests.factories import Actor
from tests.idempotency_registry import Call, Case


async def create_workflow(_actor: Actor) -> Call:
    return Call("/api/workflows", WORKFLOW)


async def create_rule(_actor: Actor) -> Call:
    return Call("/api/automations", RULE)


async def run_rule(actor: Actor) -> Call:
    response = await actor.client.post("/api/automations", json=RULE)
    return Call(f"/api/automations/{response.json()['id']}/run")


CASES: dict[str, Case] = {
    "/api/workflows": create_workflow,
    "/api/automations": create_rule,
    "/api/automations/{rule_id}/run": run_rule,
}
