"""Document 002's `POST /api/automations/{id}/run`: every action of the rule reaches every
contact the rule matched when the run began, whatever the earlier actions changed."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from kindred.automations import service
from tests.automations.helpers import tags_of
from tests.factories import signup
from tests.messaging.helpers import make_contact

WELCOME = {
    "name": "Welcome",
    "config": {
        "match": "all",
        "conditions": [{"field": "tags", "operator": "not_has", "value": "welcomed"}],
        "actions": [
            {"type": "add_tag", "tag": "welcomed"},
            {"type": "set_field", "field": "source", "value": "rule"},
            {"type": "set_field", "field": "stage", "value": "new"},
        ],
    },
}


@pytest.mark.parametrize("batch", [1000, 2])
async def test_a_rule_whose_first_action_unmatches_its_contacts_still_applies_the_rest(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(service, "RULE_BATCH", batch)
    actor = await signup(app)
    for _ in range(5):
        await make_contact(actor)
    await make_contact(actor, tags=["welcomed"])
    rule = await actor.client.post("/api/automations", json=WELCOME)
    assert rule.status_code == 201, rule.text
    ran = await actor.client.post(f"/api/automations/{rule.json()['id']}/run")
    assert ran.json() == {"affected": 5}
    contacts = (await actor.client.get("/api/contacts", params={"limit": 10})).json()["contacts"]
    applied = sorted((c["source"], c["customFields"].get("stage")) for c in contacts)
    assert applied == [("manual", None)] + [("rule", "new")] * 5
    again = await actor.client.post(f"/api/automations/{rule.json()['id']}/run")
    assert again.json() == {"affected": 0}


async def test_an_inactive_rule_is_refused_with_a_409_until_it_is_activated(app: FastAPI) -> None:
    """A rule's only trigger is this call: switched off, it must not be applied by mistake."""
    actor = await signup(app)
    contact = await make_contact(actor)
    created = await actor.client.post("/api/automations", json=WELCOME)
    path = f"/api/automations/{created.json()['id']}"
    assert (await actor.client.put(path, json={"isActive": False})).status_code == 200
    refused = await actor.client.post(f"{path}/run")
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert (body["code"], body["status"]) == ("AUTOMATION_INACTIVE", 409)
    assert body["error"] == "The rule is inactive; activate it first"
    assert "welcomed" not in await tags_of(actor, contact["id"])
    assert (await actor.client.put(path, json={"isActive": True})).status_code == 200
    ran = await actor.client.post(f"{path}/run")
    assert ran.json() == {"affected": 1}
    assert "welcomed" in await tags_of(actor, contact["id"])


async def test_a_rule_adding_a_tag_in_another_case_reuses_the_existing_tag(app: FastAPI) -> None:
    """Filters match tag names ignoring case (`tags has vip` matches `VIP`): a second tag `vip`
    would be a duplicate that the filters cannot tell apart."""
    actor = await signup(app)
    contact = await make_contact(actor, tags=["VIP"])
    body = {"name": "r", "config": {"actions": [{"type": "add_tag", "tag": "vip"}]}}
    rule = await actor.client.post("/api/automations", json=body)
    ran = await actor.client.post(f"/api/automations/{rule.json()['id']}/run")
    assert ran.json() == {"affected": 1}
    assert await tags_of(actor, contact["id"]) == ["VIP"]
    assert [tag["name"] for tag in (await actor.client.get("/api/tags")).json()] == ["VIP"]
