"""FIELD_CHANGED: a workflow starts when the field it watches changed, from and to as asked."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle, tags_of
from tests.factories import Actor, signup
from tests.messaging.helpers import make_contact

TAG_IT = [{"type": "ADD_TAG", "config": {"tag": "changed"}}]


async def patch(actor: Actor, contact_id: str, **fields: Any) -> None:
    response = await actor.client.patch(f"/api/contacts/{contact_id}", json=fields)
    assert response.status_code == 200, response.text


async def test_field_changed_starts_only_when_its_field_changes(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    workflow = await make_workflow(
        actor, trigger="FIELD_CHANGED", triggerConfig={"field": "title"}, actions=TAG_IT
    )
    contact = await make_contact(actor, title="Engineer")
    await patch(actor, contact["id"], company="Acme")
    await patch(actor, contact["id"], title="Engineer")
    await settle(jobs)
    assert await runs_of(actor, workflow["id"]) == []
    await patch(actor, contact["id"], title="CTO")
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert (run["status"], run["eventType"]) == ("COMPLETED", "contact.updated")
    assert "changed" in await tags_of(actor, contact["id"])


async def test_field_changed_matches_the_values_before_and_after(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    config = {"field": "customFields.plan", "from": "trial", "to": "paid"}
    workflow = await make_workflow(
        actor, trigger="FIELD_CHANGED", triggerConfig=config, actions=TAG_IT
    )
    contact = await make_contact(actor)
    for plan in ("trial", "basic", "trial", "Paid", "trial"):
        await patch(actor, contact["id"], customFields={"plan": plan})
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["contactId"] == contact["id"]


async def define_score(actor: Actor) -> None:
    body = {"name": "score", "label": "Score", "fieldType": "number", "sortOrder": 0}
    response = await actor.client.post("/api/fields", json=body)
    assert response.status_code == 201, response.text


async def test_field_changed_compares_a_number_fields_values_as_numbers(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await define_score(actor)
    config = {"field": "customFields.score", "from": "4.0", "to": 5.0}
    workflow = await make_workflow(
        actor, trigger="FIELD_CHANGED", triggerConfig=config, actions=TAG_IT
    )
    contact = await make_contact(actor, customFields={"score": 4})
    await patch(actor, contact["id"], customFields={"score": 5})
    for same in (5.0, "5", "5.0"):  # no change: the same number in other spellings
        await patch(actor, contact["id"], customFields={"score": same})
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["contactId"] == contact["id"]


async def test_field_changed_from_or_to_a_value_its_field_cannot_hold_is_a_400(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    await define_score(actor)
    config = {"field": "customFields.score", "from": 1, "to": "high"}
    body = {"name": "F", "trigger": "FIELD_CHANGED", "triggerConfig": config, "actions": TAG_IT}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "triggerConfig.to"
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []


async def test_field_changed_takes_a_select_option_in_any_case_as_it_matches_it(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    field = {"name": "priority", "label": "Priority", "fieldType": "select", "sortOrder": 0}
    response = await actor.client.post("/api/fields", json=field | {"options": ["High", "Low"]})
    assert response.status_code == 201, response.text
    config = {"field": "customFields.priority", "from": "low", "to": "HIGH"}
    workflow = await make_workflow(
        actor, trigger="FIELD_CHANGED", triggerConfig=config, actions=TAG_IT
    )
    contact = await make_contact(actor, customFields={"priority": "Low"})
    await patch(actor, contact["id"], customFields={"priority": "High"})
    await settle(jobs)
    assert len(await runs_of(actor, workflow["id"])) == 1


@pytest.mark.parametrize(
    ("field_type", "wanted", "held", "value"),
    [
        ("boolean", "yes", True, "on"),
        ("date", "2025-03-01T10:00:00Z", "2025-03-01", "2025-03-01"),
        ("multiselect", "mid, HIGH", ["Mid", "High"], ["High", "Mid"]),
    ],
)
async def test_field_changed_holds_its_to_as_the_field_does_and_matches_it(
    app: FastAPI, jobs: JobRuntime, field_type: str, wanted: Any, held: Any, value: Any
) -> None:
    """Any spelling the field takes when saved matches the value it becomes (a boolean field's
    `"yes"` was saved and then compared with `true` as text, and never matched)."""
    actor = await signup(app)
    field = {"name": "f", "label": "F", "fieldType": field_type, "sortOrder": 0}
    response = await actor.client.post("/api/fields", json=field | {"options": ["High", "Mid"]})
    assert response.status_code == 201, response.text
    config = {"field": "customFields.f", "to": wanted}
    workflow = await make_workflow(
        actor, trigger="FIELD_CHANGED", triggerConfig=config, actions=TAG_IT
    )
    assert workflow["triggerConfig"]["to"] == held
    contact = await make_contact(actor)
    await patch(actor, contact["id"], customFields={"f": value})
    await settle(jobs)
    assert len(await runs_of(actor, workflow["id"])) == 1


async def define_levels(actor: Actor) -> None:
    """A multiselect custom field `levels` with the options High, Mid and Low."""
    field = {"name": "levels", "label": "Levels", "fieldType": "multiselect", "sortOrder": 0}
    response = await actor.client.post(
        "/api/fields", json=field | {"options": ["High", "Mid", "Low"]}
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("wanted", ["High,Low", " low , HIGH ", ["Low", "high"]])
async def test_field_changed_on_a_multiselect_starts_when_its_to_options_are_all_brought_in(
    app: FastAPI, jobs: JobRuntime, wanted: Any
) -> None:
    actor = await signup(app)
    await define_levels(actor)
    config = {"field": "customFields.levels", "from": ["Mid"], "to": wanted}
    workflow = await make_workflow(
        actor, trigger="FIELD_CHANGED", triggerConfig=config, actions=TAG_IT
    )
    contact = await make_contact(actor, customFields={"levels": ["Mid"]})
    await patch(actor, contact["id"], customFields={"levels": ["High", "Low"]})
    await patch(actor, contact["id"], customFields={"levels": ["Low", "High"]})  # reordered
    await patch(actor, contact["id"], customFields={"levels": ["Mid"]})
    await patch(actor, contact["id"], customFields={"levels": ["High", "Low", "Mid"]})
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED"


async def test_field_changed_to_one_multiselect_option_starts_when_it_is_added_to_others(
    app: FastAPI, jobs: JobRuntime
) -> None:
    """As on tags: `"to": "High"` is High added, whatever else the contact holds (workflows
    saved with this meaning before several options could be named keep it)."""
    actor = await signup(app)
    await define_levels(actor)
    config = {"field": "customFields.levels", "to": "high"}
    workflow = await make_workflow(
        actor, trigger="FIELD_CHANGED", triggerConfig=config, actions=TAG_IT
    )
    contact = await make_contact(actor, customFields={"levels": ["Mid"]})
    await patch(actor, contact["id"], customFields={"levels": ["Mid", "High"]})
    await patch(actor, contact["id"], customFields={"levels": ["High", "Low"]})  # kept, not added
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED"


@pytest.mark.parametrize("wanted", ["High,None", ["High", "None"], [["High"]], {"High": 1}])
async def test_field_changed_to_a_multiselect_value_it_cannot_hold_is_a_400(
    app: FastAPI, wanted: Any
) -> None:
    actor = await signup(app)
    await define_levels(actor)
    config = {"field": "customFields.levels", "to": wanted}
    body = {"name": "F", "trigger": "FIELD_CHANGED", "triggerConfig": config, "actions": TAG_IT}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "triggerConfig.to"


@pytest.mark.parametrize(
    "config",
    [{}, {"field": " "}, {"field": "updatedAt"}, {"field": "title", "to": ["a", "b"]}],
)
async def test_field_changed_needs_a_field_that_changes(
    app: FastAPI, config: dict[str, Any]
) -> None:
    actor = await signup(app)
    body = {"name": "F", "trigger": "FIELD_CHANGED", "triggerConfig": config, "actions": TAG_IT}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"].startswith("triggerConfig.")


async def test_field_changed_to_a_tag_starts_only_when_the_tag_is_added(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    config = {"field": "tags", "to": "VIP"}
    workflow = await make_workflow(
        actor, trigger="FIELD_CHANGED", triggerConfig=config, actions=TAG_IT
    )
    already = await make_contact(actor, tags=["VIP"])
    await patch(actor, already["id"], tags=["VIP", "Other"])
    newly = await make_contact(actor, tags=["Other"])
    await patch(actor, newly["id"], tags=["Other", "VIP"])
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["contactId"] == newly["id"]


async def test_field_changed_from_a_tag_starts_only_when_the_tag_is_removed(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    config = {"field": "tags", "from": "VIP"}
    workflow = await make_workflow(
        actor, trigger="FIELD_CHANGED", triggerConfig=config, actions=TAG_IT
    )
    kept = await make_contact(actor, tags=["VIP", "Other"])
    await patch(actor, kept["id"], tags=["VIP"])
    dropped = await make_contact(actor, tags=["VIP", "Other"])
    await patch(actor, dropped["id"], tags=["Other"])
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["contactId"] == dropped["id"]
