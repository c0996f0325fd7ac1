"""Changing a custom field's definition under the filters saved on it: deleting, retyping or
defining a field is refused (409 FIELD_IN_USE, naming what uses it) when a saved filter that
parses now would no longer parse; a change no filter notices goes through."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.factories import Actor, signup

SCORE_ABOVE_50 = {
    "match": "all",
    "conditions": [{"field": "customFields.score", "operator": "gt", "value": 50}],
}
SCORE_SET = {"match": "all", "conditions": [{"field": "customFields.score", "operator": "is_set"}]}
PLAN_PRO = {
    "match": "all",
    "conditions": [{"field": "customFields.plan", "operator": "contains", "value": "pro"}],
}


@pytest.fixture
async def owner(app: FastAPI) -> Actor:
    return await signup(app)


async def define(actor: Actor, name: str, field_type: str) -> Any:
    body = {"name": name, "label": name.title(), "fieldType": field_type, "sortOrder": 0}
    return await actor.client.post("/api/fields", json=body)


async def score_field(actor: Actor) -> str:
    response = await define(actor, "score", "number")
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def save_segment(actor: Actor, filter_: dict[str, Any], name: str = "Hot leads") -> None:
    response = await actor.client.post("/api/segments", json={"name": name, "filter": filter_})
    assert response.status_code == 201, response.text


async def field_names(actor: Actor) -> dict[str, str]:
    listed = (await actor.client.get("/api/fields")).json()
    return {field["name"]: field["fieldType"] for field in listed}


async def test_deleting_a_field_a_segment_compares_by_type_is_refused_naming_it(
    owner: Actor,
) -> None:
    field_id = await score_field(owner)
    await save_segment(owner, SCORE_ABOVE_50)
    response = await owner.client.delete(f"/api/fields/{field_id}")
    assert response.status_code == 409, response.text
    error = response.json()
    assert error["code"] == "FIELD_IN_USE"
    assert 'segment "Hot leads"' in error["error"]
    assert error["details"] == [{"usedBy": 'segment "Hot leads"'}]
    assert await field_names(owner) == {"score": "number"}


async def test_deleting_a_field_whose_filters_still_parse_as_text_goes_through(
    owner: Actor,
) -> None:
    field_id = await score_field(owner)
    await save_segment(owner, SCORE_SET)
    assert (await owner.client.delete(f"/api/fields/{field_id}")).status_code == 200
    assert await field_names(owner) == {}


async def test_retyping_a_field_under_a_segment_is_refused_and_leaves_it_as_it_was(
    owner: Actor,
) -> None:
    field_id = await score_field(owner)
    await save_segment(owner, SCORE_ABOVE_50)
    response = await owner.client.put(f"/api/fields/{field_id}", json={"fieldType": "text"})
    assert response.status_code == 409, response.text
    assert "retyping it as text" in response.json()["error"]
    assert await field_names(owner) == {"score": "number"}


async def test_a_relabelled_field_under_a_segment_keeps_its_type_and_is_saved(
    owner: Actor,
) -> None:
    field_id = await score_field(owner)
    await save_segment(owner, SCORE_ABOVE_50)
    changed = {"label": "Lead score", "fieldType": "number"}
    response = await owner.client.put(f"/api/fields/{field_id}", json=changed)
    assert response.status_code == 200, response.text
    assert response.json()["label"] == "Lead score"


async def test_defining_a_field_a_text_filter_already_names_is_refused_as_another_type(
    owner: Actor,
) -> None:
    await save_segment(owner, PLAN_PRO)
    refused = await define(owner, "plan", "number")
    assert refused.status_code == 409, refused.text
    assert await field_names(owner) == {}
    assert (await define(owner, "plan", "text")).status_code == 201


async def test_another_workspaces_filters_do_not_hold_a_workspaces_field(
    app: FastAPI, owner: Actor
) -> None:
    stranger = await signup(app)
    await score_field(stranger)
    await save_segment(stranger, SCORE_ABOVE_50)
    field_id = await score_field(owner)
    assert (await owner.client.delete(f"/api/fields/{field_id}")).status_code == 200


async def test_a_draft_campaigns_audience_filter_keeps_its_field(owner: Actor) -> None:
    field_id = await score_field(owner)
    body = {"name": "Spring sale", "type": "SMS", "body": "Hi", "filter": SCORE_ABOVE_50}
    assert (await owner.client.post("/api/campaigns", json=body)).status_code == 201
    response = await owner.client.delete(f"/api/fields/{field_id}")
    assert response.status_code == 409, response.text
    assert response.json()["details"] == [{"usedBy": 'campaign "Spring sale"'}]


async def test_a_campaign_that_froze_its_audience_no_longer_holds_its_field(
    owner: Actor,
) -> None:
    field_id = await score_field(owner)
    body = {"name": "Sent", "type": "SMS", "body": "Hi", "filter": SCORE_ABOVE_50}
    campaign = (await owner.client.post("/api/campaigns", json=body)).json()
    assert (await owner.client.post(f"/api/campaigns/{campaign['id']}/send")).status_code == 200
    assert (await owner.client.delete(f"/api/fields/{field_id}")).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        (
            "/api/workflows",
            {"name": "Scored", "trigger": "CONTACT_CREATED",
             "conditions": SCORE_ABOVE_50["conditions"],
             "actions": [{"type": "ADD_TAG", "config": {"tag": "hot"}}]},
            'workflow "Scored"',
        ),
        (
            "/api/automations",
            {"name": "Scored", "config": {"conditions": SCORE_ABOVE_50["conditions"],
                                          "actions": [{"type": "add_tag", "tag": "hot"}]}},
            'automation rule "Scored"',
        ),
    ],
)  # fmt: skip
async def test_automation_conditions_keep_their_field(
    owner: Actor, path: str, body: dict[str, Any], named: str
) -> None:
    field_id = await score_field(owner)
    created = await owner.client.post(path, json=body)
    assert created.status_code == 201, created.text
    response = await owner.client.put(f"/api/fields/{field_id}", json={"fieldType": "date"})
    assert response.status_code == 409, response.text
    assert response.json()["details"] == [{"usedBy": named}]
