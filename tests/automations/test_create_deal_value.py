"""CREATE_DEAL's value may be a template over the run's contact (`{{contact.customFields.budget}}`),
rendered when the step runs and held to the deals API's rules then."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle
from tests.factories import Actor, signup
from tests.messaging.helpers import make_contact

BUDGET = {"title": "{{contact.firstName}}'s budget", "value": "{{contact.customFields.budget}}"}


async def _deal_values(actor: Actor) -> dict[str, Any]:
    """Each deal's value by its title."""
    response = await actor.client.get("/api/deals")
    assert response.status_code == 200, response.text
    return {deal["title"]: deal["value"] for deal in response.json()["deals"]}


async def test_create_deal_renders_a_templated_value_for_the_runs_contact(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await make_workflow(actor, actions=[{"type": "CREATE_DEAL", "config": BUDGET}])
    await make_contact(actor, firstName="Ada", customFields={"budget": 2500})
    await make_contact(actor, firstName="Bob")  # no budget: a deal without a value
    await settle(jobs)
    assert await _deal_values(actor) == {"Ada's budget": 2500, "Bob's budget": 0}


async def test_a_templated_value_rendering_no_number_fails_its_step_and_creates_no_deal(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    workflow = await make_workflow(actor, actions=[{"type": "CREATE_DEAL", "config": BUDGET}])
    await make_contact(actor, firstName="Ada", customFields={"budget": "a lot"})
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert (run["status"], run["steps"][0]["status"]) == ("FAILED", "FAILED")
    assert "value" in run["steps"][0]["error"]
    assert await _deal_values(actor) == {}
