"""Steps a run without a contact could never do are refused when the workflow is saved: on
LEAD_CREATED (a new lead is no contact) and on a SCHEDULE without conditions (it runs once,
for no contact). A SCHEDULE with conditions runs for each contact they match: any step goes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.automations.helpers import make_workflow
from tests.factories import signup

HOURLY = {"cron": "0 * * * *"}
VIP = [{"field": "tags", "operator": "contains", "value": "vip"}]
CONTACT_STEPS = [
    {"type": "SEND_SMS", "config": {"message": "Hi"}},
    {"type": "SEND_WHATSAPP", "config": {"message": "Hi"}},
    {"type": "SEND_EMAIL", "config": {"subject": "Hi", "body": "Hello"}},
    {"type": "ADD_TAG", "config": {"tag": "seen"}},
    {"type": "REMOVE_TAG", "config": {"tag": "seen"}},
    {"type": "SET_FIELD", "config": {"field": "company", "value": "Acme"}},
    {"type": "CREATE_TASK", "config": {"title": "Call"}},
]
CONTACTLESS = [
    {"trigger": "LEAD_CREATED"},
    {"trigger": "SCHEDULE", "triggerConfig": HOURLY},
]
WAIT = {"type": "WAIT", "config": {"minutes": 5}}


@pytest.mark.parametrize("trigger", CONTACTLESS, ids=lambda trigger: trigger["trigger"])
@pytest.mark.parametrize("step", CONTACT_STEPS, ids=lambda step: step["type"])
async def test_a_contact_step_on_a_trigger_without_a_contact_is_a_400_naming_the_step(
    app: FastAPI, trigger: dict[str, Any], step: dict[str, Any]
) -> None:
    actor = await signup(app)
    body = {"name": "No one", **trigger, "actions": [WAIT, step]}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert (error["code"], error["status"]) == ("VALIDATION_ERROR", 400)
    assert error["details"][0]["field"] == "actions[1].type"
    assert step["type"] in error["error"]
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []


@pytest.mark.parametrize(
    "change",
    [{"conditions": []}, {"trigger": "LEAD_CREATED", "conditions": []}],
    ids=["conditions-dropped", "trigger-changed"],
)
async def test_an_update_leaving_a_contact_step_without_a_contact_is_a_400_that_changes_nothing(
    app: FastAPI, change: dict[str, Any]
) -> None:
    actor = await signup(app)
    tag = {"type": "ADD_TAG", "config": {"tag": "pinged"}}
    workflow = await make_workflow(
        actor, trigger="SCHEDULE", triggerConfig=HOURLY, conditions=VIP, actions=[tag]
    )
    path = f"/api/workflows/{workflow['id']}"
    response = await actor.client.put(path, json=change)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "actions[0].type"
    stored = (await actor.client.get(path)).json()
    assert (stored["trigger"], stored["conditions"]) == ("SCHEDULE", workflow["conditions"])


async def test_move_deal_stage_without_a_deal_id_on_lead_created_is_a_400(app: FastAPI) -> None:
    actor = await signup(app)
    move = {"type": "MOVE_DEAL_STAGE", "config": {"stage": "CLOSED_WON"}}
    body = {"name": "No deal", "trigger": "LEAD_CREATED", "actions": [move]}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "actions[0].config.dealId"


@pytest.mark.parametrize("trigger", CONTACTLESS, ids=lambda trigger: trigger["trigger"])
async def test_steps_that_need_no_contact_are_saved_on_a_trigger_without_one(
    app: FastAPI, trigger: dict[str, Any]
) -> None:
    """The boundary of the rule above: only steps that act on the contact are refused."""
    actor = await signup(app)
    actions = [
        WAIT,
        {"type": "CREATE_DEAL", "config": {"title": "New business"}},
        {"type": "SEND_EMAIL", "config": {"to": "sales@example.com", "body": "New lead"}},
        {"type": "WEBHOOK", "config": {"url": "https://example.com/hook"}},
    ]
    await make_workflow(actor, **trigger, actions=actions)
