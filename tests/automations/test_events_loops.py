"""Automations that trigger themselves, or each other, stop at the depth bound and say so."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kindred.automations.engine import MAX_DEPTH
from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle
from tests.factories import Actor, signup
from tests.messaging.helpers import make_contact


async def echo(actor: Actor, name: str, on: str, then: str) -> dict[str, Any]:
    """On tag `on` added: remove tag `then`, then add it (a real change every time)."""
    actions = [
        {"type": "REMOVE_TAG", "config": {"tag": then}},
        {"type": "ADD_TAG", "config": {"tag": then}},
    ]
    return await make_workflow(
        actor, name=name, trigger="TAG_ADDED", triggerConfig={"tag": on}, actions=actions
    )


async def test_a_workflow_adding_the_tag_it_is_triggered_by_stops_at_the_bound(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    workflow = await make_workflow(
        actor,
        trigger="TAG_ADDED",
        triggerConfig={"tag": "ping"},
        actions=[{"type": "ADD_TAG", "config": {"tag": "ping"}}],
    )
    await make_contact(actor, tags=["ping"])
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED"  # adding a tag the contact has changes nothing


async def test_two_workflows_triggering_each_other_stop_at_the_bound_saying_so(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    first = await echo(actor, "Y adds X", on="y", then="x")
    second = await echo(actor, "X adds Y", on="x", then="y")
    await make_contact(actor, tags=["y"])
    await settle(jobs)
    runs = await runs_of(actor, first["id"]) + await runs_of(actor, second["id"])
    assert sorted(run["depth"] for run in runs) == list(range(MAX_DEPTH + 2))
    (stopped,) = [run for run in runs if run["status"] != "COMPLETED"]
    assert stopped["status"] == "STOPPED"
    assert stopped["depth"] == MAX_DEPTH + 1
    assert "X adds Y" in stopped["error"]
    assert stopped["steps"] == []
