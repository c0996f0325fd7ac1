"""CREATE_DEAL and MOVE_DEAL_STAGE: deals of the workspace, through the deals service, with the
deals API's own rules; a config naming another workspace's pipeline or deal is refused."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle
from tests.factories import Actor, signup
from tests.messaging.helpers import make_contact
from tests.pipeline_helpers import make_deal

VIP = [{"field": "tags", "operator": "contains", "value": "vip"}]


async def _deals(actor: Actor) -> list[dict[str, Any]]:
    response = await actor.client.get("/api/deals")
    assert response.status_code == 200, response.text
    deals: list[dict[str, Any]] = response.json()["deals"]
    return deals


async def _pipeline_id(actor: Actor) -> str:
    pipeline_id: str = (await actor.client.get("/api/pipelines")).json()["pipelines"][0]["id"]
    return pipeline_id


async def test_create_deal_then_move_deal_stage_on_the_event_deal(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    config = {"title": "{{contact.firstName}}'s order", "value": 500, "stage": "proposal"}
    await make_workflow(actor, actions=[{"type": "CREATE_DEAL", "config": config}])
    await make_workflow(
        actor,
        trigger="DEAL_STAGE_CHANGED",
        triggerConfig={"toStage": "NEGOTIATION"},
        actions=[{"type": "MOVE_DEAL_STAGE", "config": {"stage": "CLOSED_WON"}}],
    )
    contact = await make_contact(actor, firstName="Ada")
    await settle(jobs)
    (deal,) = await _deals(actor)
    assert (deal["title"], deal["value"], deal["stage"]) == ("Ada's order", 500, "PROPOSAL")
    assert [linked["id"] for linked in deal["contacts"]] == [contact["id"]]
    moved = await actor.client.patch(
        f"/api/deals/{deal['id']}/stage", json={"stage": "NEGOTIATION"}
    )
    assert moved.status_code == 200, moved.text
    await settle(jobs)
    assert [found["stage"] for found in await _deals(actor)] == ["CLOSED_WON"]


async def _other_workspaces(app: FastAPI, what: str) -> str:
    other = await signup(app, business="Elsewhere Inc")
    if what == "pipeline":
        return await _pipeline_id(other)
    deal_id: str = (await make_deal(other))["id"]
    return deal_id


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        ("CREATE_DEAL", {"pipelineId": "pipeline"}),
        ("MOVE_DEAL_STAGE", {"dealId": "deal", "stage": "CLOSED_WON"}),
        ("CREATE_DEAL", {"stage": "SIGNED"}),
        ("MOVE_DEAL_STAGE", {"stage": "SIGNED"}),
        ("CREATE_DEAL", {"value": "a lot"}),
        ("CREATE_DEAL", {"value": -5}),
    ],
)
async def test_a_deal_action_on_another_workspaces_ids_or_unknown_values_is_a_400(
    app: FastAPI, kind: str, config: dict[str, Any]
) -> None:
    actor = await signup(app)
    config = {
        key: await _other_workspaces(app, value) if value in ("pipeline", "deal") else value
        for key, value in config.items()
    }
    body = {
        "name": "Deals",
        "trigger": "DEAL_STAGE_CHANGED",
        "actions": [{"type": kind, "config": config}],
    }
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "actions[0].config"
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []


@pytest.mark.parametrize(
    "trigger",
    [
        {"trigger": "CONTACT_CREATED"},
        {"trigger": "CONTACT_UPDATED"},
        {"trigger": "TAG_ADDED", "triggerConfig": {"tag": "vip"}},
        {"trigger": "TAG_REMOVED"},
        {"trigger": "FIELD_CHANGED", "triggerConfig": {"field": "status"}},
        {"trigger": "MESSAGE_RECEIVED"},
        {"trigger": "APPOINTMENT_SCHEDULED"},
        {"trigger": "FORM_SUBMITTED"},
        {"trigger": "SCHEDULE", "triggerConfig": {"cron": "0 * * * *"}, "conditions": VIP},
    ],
    ids=lambda trigger: trigger["trigger"],
)
async def test_move_deal_stage_without_a_deal_id_off_a_deal_trigger_is_a_400_naming_it(
    app: FastAPI, trigger: dict[str, Any]
) -> None:
    """Only a DEAL_STAGE_CHANGED run has a deal of its own to move (the event's): anywhere
    else MOVE_DEAL_STAGE without config.dealId would fail on every run."""
    actor = await signup(app)
    create = {"type": "CREATE_DEAL", "config": {"title": "New"}}
    move = {"type": "MOVE_DEAL_STAGE", "config": {"stage": "CLOSED_WON"}}
    body = {"name": "No deal", **trigger, "actions": [create, move]}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "actions[1].config.dealId"
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []
    saved = await make_workflow(actor, trigger="DEAL_STAGE_CHANGED", actions=[move])
    changed = await actor.client.put(f"/api/workflows/{saved['id']}", json=trigger)
    assert changed.status_code == 400, changed.text
    assert changed.json()["details"][0]["field"] == "actions[0].config.dealId"


async def test_a_deal_action_on_this_workspaces_own_pipeline_and_deal_is_saved(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    deal = await make_deal(actor)
    actions = [
        {
            "type": "CREATE_DEAL",
            "config": {"pipelineId": await _pipeline_id(actor), "stage": "LEAD"},
        },
        {"type": "MOVE_DEAL_STAGE", "config": {"dealId": deal["id"], "stage": "closed_lost"}},
    ]
    await make_workflow(actor, actions=actions)


async def test_create_deal_with_a_title_the_deals_api_refuses_fails_its_step(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    config = {"title": "{{contact.firstName}}" * 20}
    workflow = await make_workflow(actor, actions=[{"type": "CREATE_DEAL", "config": config}])
    await make_contact(actor, firstName="A" * 20)
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "FAILED"
    assert "title" in run["steps"][0]["error"]
    assert await _deals(actor) == []
