"""Action configs that could only fail when a step runs are refused when the workflow or rule
is saved: a 400 naming the field, and nothing stored."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle
from tests.factories import signup
from tests.messaging.helpers import make_contact

BAD_ACTIONS = [
    {"type": "WAIT", "config": {"minutes": "soon"}},
    {"type": "WAIT", "config": {"duration": "x", "unit": "days"}},
    {"type": "WAIT", "config": {"days": 1e12}},
    {"type": "WAIT", "config": {"hours": 10**400}},  # past any float: was a 500
    {"type": "WAIT", "config": {"duration": -(10**400), "unit": "days"}},
    {"type": "WAIT", "config": {"hours": -1}},
    {"type": "WAIT", "config": {"minutes": {"a": 1}}},
    {"type": "WAIT", "config": {"duration": 1, "unit": "fortnights"}},
    {"type": "CREATE_DEAL", "config": {"pipelineId": "not-a-uuid"}},
    {"type": "MOVE_DEAL_STAGE", "config": {"stage": "WON", "dealId": "not-a-uuid"}},
    {"type": "CREATE_TASK", "config": {"assignedTo": "not-a-uuid"}},
    {"type": "CREATE_TASK", "config": {"userId": str(uuid.uuid4())}},
    {"type": "SET_FIELD", "config": {"field": "email", "value": "not an address"}},
    {"type": "SET_FIELD", "config": {"field": "phone", "value": "call me"}},
    {"type": "SET_FIELD", "config": {"field": "customFields.", "value": "x"}},
]


@pytest.mark.parametrize("action", BAD_ACTIONS)
async def test_an_action_config_that_cannot_run_is_a_400_that_changes_nothing(
    app: FastAPI, action: dict[str, Any]
) -> None:
    actor = await signup(app)
    workflow = await make_workflow(actor, actions=[{"type": "ADD_TAG", "config": {"tag": "x"}}])
    body = {"name": "Flow", "trigger": "CONTACT_CREATED", "actions": [action]}
    created = await actor.client.post("/api/workflows", json=body)
    assert created.status_code == 400, created.text
    assert created.json()["details"][0]["field"] == "actions[0].config"
    updated = await actor.client.put(f"/api/workflows/{workflow['id']}", json=body)
    assert updated.status_code == 400, updated.text
    (stored,) = (await actor.client.get("/api/workflows")).json()["workflows"]
    assert stored["actions"] == workflow["actions"]


@pytest.mark.parametrize(
    ("action", "field"),
    [
        ({"type": "ADD_TAG", "config": {"tag": "   "}}, "tag"),
        ({"type": "REMOVE_TAG", "config": {"tag": "   "}}, "tag"),
        ({"type": "ADD_TAG", "config": {"tag": "x" * 101}}, "tag"),
        ({"type": "CREATE_TASK", "config": {"dueInDays": "soon"}}, "dueInDays"),
        ({"type": "CREATE_TASK", "config": {"dueInDays": 1.5}}, "dueInDays"),
        ({"type": "CREATE_TASK", "config": {"dueInDays": -1}}, "dueInDays"),
        ({"type": "CREATE_TASK", "config": {"dueInDays": 3651}}, "dueInDays"),
        ({"type": "CREATE_TASK", "config": {"dueInDays": 10**400}}, "dueInDays"),
        ({"type": "CREATE_TASK", "config": {"dueInDays": True}}, "dueInDays"),
        ({"type": "CREATE_TASK", "config": {"dueInDays": [3]}}, "dueInDays"),
    ],
)
async def test_a_literal_tag_or_due_in_days_that_cannot_run_is_a_400_naming_it(
    app: FastAPI, action: dict[str, Any], field: str
) -> None:
    actor = await signup(app)
    body = {"name": "Flow", "trigger": "CONTACT_CREATED", "actions": [action]}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == f"actions[0].config.{field}"
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []


@pytest.mark.parametrize(
    "action",
    [
        {"type": "SEND_SMS", "config": {"message": ["Hi"]}},
        {"type": "SEND_EMAIL", "config": {"message": "Hi", "subject": {"text": "Hello"}}},
        {"type": "ADD_TAG", "config": {"tag": ["vip"]}},
        {"type": "REMOVE_TAG", "config": {"tag": True}},
        {"type": "SET_FIELD", "config": {"field": {"name": "title"}, "value": "CTO"}},
        {"type": "CREATE_TASK", "config": {"title": ["Call"]}},
    ],
)
async def test_a_list_object_or_boolean_where_an_action_takes_text_is_a_400(
    app: FastAPI, action: dict[str, Any]
) -> None:
    """Saved, the step would send, tag or title with its Python spelling (`['Hi']`)."""
    actor = await signup(app)
    body = {"name": "Flow", "trigger": "CONTACT_CREATED", "actions": [action]}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    (key,) = [key for key, value in action["config"].items() if not isinstance(value, str)]
    assert response.json()["details"][0]["field"] == f"actions[0].config.{key}"


@pytest.mark.parametrize("tag", ["   ", "x" * 101])
async def test_a_rule_with_a_blank_or_overlong_tag_is_a_400_naming_only_the_tag(
    app: FastAPI, tag: str
) -> None:
    actor = await signup(app)
    action = {"type": "remove_tag", "tag": tag}
    response = await actor.client.post(
        "/api/automations", json={"name": "r", "config": {"actions": [action]}}
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert [d["field"] for d in response.json()["details"]] == ["config.actions.0.remove_tag.tag"]
    assert (await actor.client.get("/api/automations")).json() == []


async def test_openapi_shows_the_length_limits_of_a_rules_tag(app: FastAPI) -> None:
    actor = await signup(app)
    schemas = (await actor.client.get("/openapi.json")).json()["components"]["schemas"]
    tag = schemas["TagAction"]["properties"]["tag"]
    assert (tag["minLength"], tag["maxLength"]) == (1, 100)


async def test_create_task_records_its_due_in_days_as_a_whole_number(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    action = {"type": "CREATE_TASK", "config": {"title": "Call", "dueInDays": "3"}}
    workflow = await make_workflow(actor, actions=[action])
    contact = await make_contact(actor)
    await settle(jobs)
    [run] = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED", run
    timeline = await actor.client.get(f"/api/contacts/{contact['id']}/interactions")
    [task] = [item for item in timeline.json()["interactions"] if item["type"] == "task"]
    assert task["metadata"]["dueInDays"] == 3


async def test_create_task_may_be_assigned_to_a_member_of_the_workspace(app: FastAPI) -> None:
    actor = await signup(app)
    member = await actor.add_member("member")
    action = {"type": "CREATE_TASK", "config": {"assignedTo": str(member.user_id)}}
    await make_workflow(actor, actions=[action, {"type": "WAIT", "config": {"minutes": 5}}])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("firstName", {"a": 1}),
        ("firstName", 5),
        ("firstName", "x" * 5000),
        ("email", "x@example.com"),
        ("phone", "1"),
        ("source", None),  # NOT NULL: was saved, then its run was a 500
    ],
)
async def test_a_rule_setting_a_column_it_cannot_set_is_a_400_at_creation(
    app: FastAPI, field: str, value: Any
) -> None:
    actor = await signup(app)
    await make_contact(actor)
    action = {"type": "set_field", "field": field, "value": value}
    response = await actor.client.post(
        "/api/automations", json={"name": "r", "config": {"actions": [action]}}
    )
    assert response.status_code == 400, response.text
    assert (await actor.client.get("/api/automations")).json() == []


async def test_a_rule_sets_a_text_column_on_every_contact_it_matches(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    action = {"type": "set_field", "field": "company", "value": "Acme"}
    rule = await actor.client.post(
        "/api/automations", json={"name": "r", "config": {"actions": [action]}}
    )
    assert rule.status_code == 201, rule.text
    ran = await actor.client.post(f"/api/automations/{rule.json()['id']}/run")
    assert ran.json() == {"affected": 1}
    stored = (await actor.client.get(f"/api/contacts/{contact['id']}")).json()
    assert stored.get("contact", stored)["company"] == "Acme"


async def test_set_field_with_a_value_the_contact_refuses_fails_its_step(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    config = {"field": "firstName", "value": "{{contact.lastName}}" + "x" * 300}
    workflow = await make_workflow(actor, actions=[{"type": "SET_FIELD", "config": config}])
    await make_contact(actor)
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "FAILED"
    assert "firstName" in run["steps"][0]["error"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("firstName", "x" * 300), ("firstName", 5), ("customFields.score", "high")],
)
async def test_set_field_with_a_literal_value_the_contact_refuses_is_a_400(
    app: FastAPI, field: str, value: Any
) -> None:
    """Unlike a template's, a literal value is known when saved: it would fail every run."""
    actor = await signup(app)
    score = {"name": "score", "label": "Score", "fieldType": "number"}
    assert (await actor.client.post("/api/fields", json=score)).status_code == 201
    action = {"type": "SET_FIELD", "config": {"field": field, "value": value}}
    body = {"name": "Set", "trigger": "CONTACT_CREATED", "actions": [action]}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "actions[0].config"
    assert field in response.json()["error"]
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("hello", "data"),
        (["a"], "data"),
        ({"ok": "{{contact.name}}", "bad": "{{ contact."}, "data.bad"),
    ],
)
async def test_a_webhook_data_that_is_no_object_or_holds_a_broken_template_is_a_400(
    app: FastAPI, data: Any, field: str
) -> None:
    actor = await signup(app)
    action = {"type": "WEBHOOK", "config": {"url": "https://example.com/hook", "data": data}}
    body = {"name": "Hook", "trigger": "CONTACT_CREATED", "actions": [action]}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == f"actions[0].config.{field}"
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []


async def test_a_tag_name_that_renders_empty_fails_its_step_and_creates_no_tag(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    action = {"type": "ADD_TAG", "config": {"tag": "{{contact.customFields.tier}}"}}
    workflow = await make_workflow(actor, actions=[action])
    await make_contact(actor)
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "FAILED"
    assert "at least 1 character" in run["steps"][0]["error"]
    assert (await actor.client.get("/api/tags")).json() == []


async def test_a_task_title_rendered_past_the_timeline_limit_is_cut_to_fit(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    title = "{{contact.firstName}} " * 30
    workflow = await make_workflow(
        actor, actions=[{"type": "CREATE_TASK", "config": {"title": title}}]
    )
    contact = await make_contact(actor, firstName="N" * 200)
    await settle(jobs)
    [run] = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED", run
    timeline = await actor.client.get(f"/api/contacts/{contact['id']}/interactions")
    [task] = [item for item in timeline.json()["interactions"] if item["type"] == "task"]
    assert task["subject"] == ("N" * 200 + " ") * 4 + "N" * 194
