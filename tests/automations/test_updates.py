"""PUT on a workflow or a rule: an omitted field keeps its value, an explicit null is a 400 on
a field that cannot be empty (it was ignored, answering 200 for a change not made), and the
description, which may be empty, is cleared by null. A definition saved before a check existed
is held to the checks only by an update that redefines it or switches it on."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import update

from kindred.automations.models import Workflow
from tests.automations.helpers import make_workflow
from tests.factories import Actor, signup

TAG_IT = [{"type": "ADD_TAG", "config": {"tag": "seen"}}]
RULE = {
    "name": "Tagger",
    "description": "Tags everyone",
    "config": {"actions": [{"type": "add_tag", "tag": "seen"}]},
}
VIP = [{"field": "tags", "operator": "contains", "value": "vip"}]
HOURLY = {"trigger": "SCHEDULE", "triggerConfig": {"cron": "0 * * * *"}, "conditions": VIP}
SCORED = {"trigger": "FIELD_CHANGED", "triggerConfig": {"field": "customFields.score"}}
# (a valid definition, the columns a later check refuses, the field it names)
STALE_DEFINITIONS = [
    (HOURLY, {"conditions": []}, "actions[0].type"),
    (HOURLY, {"trigger_config": {"cron": "* * * * * *"}}, "triggerConfig.cron"),
    (SCORED, {"trigger_config": {"field": "customFields.score", "to": "high"}}, "triggerConfig.to"),
]
WORKFLOW_FIELDS = ["name", "trigger", "triggerConfig", "match", "conditions", "actions", "status"]


async def described_workflow(actor: Actor) -> tuple[str, dict[str, Any]]:
    workflow = await make_workflow(actor, description="Tags new contacts", actions=TAG_IT)
    path = f"/api/workflows/{workflow['id']}"
    return path, (await actor.client.get(path)).json()


async def described_rule(actor: Actor) -> tuple[str, dict[str, Any]]:
    created = await actor.client.post("/api/automations", json=RULE)
    assert created.status_code == 201, created.text
    return f"/api/automations/{created.json()['id']}", created.json()


async def refused_null(actor: Actor, path: str, field: str) -> None:
    response = await actor.client.put(path, json={field: None})
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["code"], body["status"]) == ("VALIDATION_ERROR", 400)
    assert body["details"][0]["field"] == field
    assert "not null" in body["details"][0]["message"]


@pytest.mark.parametrize("field", WORKFLOW_FIELDS)
async def test_a_null_workflow_field_that_cannot_be_empty_is_a_400_that_changes_nothing(
    app: FastAPI, field: str
) -> None:
    actor = await signup(app)
    path, before = await described_workflow(actor)
    await refused_null(actor, path, field)
    assert (await actor.client.get(path)).json() == before


async def test_a_workflow_update_keeps_the_fields_it_omits(app: FastAPI) -> None:
    actor = await signup(app)
    path, before = await described_workflow(actor)
    renamed = await actor.client.put(path, json={"name": "Renamed"})
    assert renamed.status_code == 200, renamed.text
    after = (await actor.client.get(path)).json()
    assert after["name"] == "Renamed"
    kept = [field for field in WORKFLOW_FIELDS if field != "name"] + ["description"]
    assert {key: after[key] for key in kept} == {key: before[key] for key in kept}


async def test_a_null_description_clears_a_workflow_description(app: FastAPI) -> None:
    actor = await signup(app)
    path, _ = await described_workflow(actor)
    cleared = await actor.client.put(path, json={"description": None})
    assert cleared.status_code == 200, cleared.text
    assert (await actor.client.get(path)).json()["description"] is None


@pytest.mark.parametrize("field", ["name", "config", "isActive"])
async def test_a_null_rule_field_that_cannot_be_empty_is_a_400_that_changes_nothing(
    app: FastAPI, field: str
) -> None:
    actor = await signup(app)
    path, before = await described_rule(actor)
    await refused_null(actor, path, field)
    assert (await actor.client.get(path)).json() == before


async def test_a_rule_update_keeps_the_fields_it_omits_and_null_clears_its_description(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    path, before = await described_rule(actor)
    cleared = await actor.client.put(path, json={"description": None})
    assert cleared.status_code == 200, cleared.text
    after = (await actor.client.get(path)).json()
    assert after["description"] is None
    kept = ("name", "config", "isActive")
    assert {key: after[key] for key in kept} == {key: before[key] for key in kept}


@pytest.mark.parametrize(("definition", "stale", "field"), STALE_DEFINITIONS)
async def test_a_workflow_saved_before_a_check_can_still_be_renamed_and_switched_off(
    app: FastAPI, definition: dict[str, Any], stale: dict[str, Any], field: str
) -> None:
    """The stale values are written in the database, as a workflow saved before the check."""
    actor = await signup(app)
    score = {"name": "score", "label": "Score", "fieldType": "number", "sortOrder": 0}
    assert (await actor.client.post("/api/fields", json=score)).status_code == 201
    workflow = await make_workflow(actor, **definition, actions=TAG_IT)
    async with app.state.database.session_scope() as session:
        await session.execute(
            update(Workflow).where(Workflow.id == uuid.UUID(workflow["id"])).values(**stale)
        )
    path = f"/api/workflows/{workflow['id']}"
    renamed = await actor.client.put(path, json={"name": "Old"})
    assert renamed.status_code == 200, renamed.text
    off = await actor.client.put(path, json={"status": "INACTIVE"})
    assert off.status_code == 200, off.text
    assert (off.json()["name"], off.json()["status"]) == ("Old", "INACTIVE")
    on = await actor.client.put(path, json={"status": "ACTIVE"})
    assert on.status_code == 400, on.text
    assert on.json()["details"][0]["field"] == field
