"""Document 002's `POST /api/automations/{id}/run`: every action of the rule reaches every
contact the rule matched when the run began, whatever the earlier actions changed."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from kindred.automations import service
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
