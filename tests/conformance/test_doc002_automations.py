"""Document 002's automation-rule routes over HTTP: bare arrays, admin only, bulk run."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup

RULE = {
    "name": "Tag German speakers",
    "description": None,
    "config": {
        "match": "all",
        "conditions": [{"field": "language", "operator": "eq", "value": "de"}],
        "actions": [
            {"type": "add_tag", "tag": "german"},
            {"type": "set_field", "field": "segment", "value": "DACH"},
            {"type": "remove_tag", "tag": "unsorted"},
        ],
    },
}
RULE_KEYS = {"id", "name", "description", "config", "isActive", "createdAt", "updatedAt"}


async def test_automation_rule_routes(app: FastAPI) -> None:
    admin = await signup(app)
    created = await admin.client.post("/api/automations", json=RULE)
    assert created.status_code == 201
    assert created.json().keys() >= RULE_KEYS
    assert created.json()["config"] == RULE["config"]
    assert created.json()["isActive"] is True
    rule_id = created.json()["id"]
    listed = await admin.client.get("/api/automations")
    assert listed.status_code == 200
    assert [rule["id"] for rule in listed.json()] == [rule_id]
    assert (await admin.client.get(f"/api/automations/{rule_id}")).status_code == 200
    updated = await admin.client.put(f"/api/automations/{rule_id}", json={"isActive": False})
    assert updated.status_code == 200
    assert updated.json()["isActive"] is False
    deleted = await admin.client.delete(f"/api/automations/{rule_id}")
    assert deleted.status_code == 200
    assert deleted.json()["success"] is True
    assert (await admin.client.get(f"/api/automations/{rule_id}")).status_code == 404


async def test_run_applies_the_rule_to_every_matching_contact(app: FastAPI) -> None:
    admin = await signup(app)
    for index, language in enumerate(["de", "de", "fr"]):
        body = {"email": f"c{index}@example.com", "language": language, "tags": ["unsorted"]}
        assert (await admin.client.post("/api/contacts", json=body)).status_code == 201
    rule_id = (await admin.client.post("/api/automations", json=RULE)).json()["id"]
    response = await admin.client.post(f"/api/automations/{rule_id}/run")
    assert response.status_code == 200
    assert response.json() == {"affected": 2}
    contacts = (await admin.client.get("/api/contacts", params={"limit": 10})).json()["contacts"]
    by_language = {
        (c["language"], tuple(c["tags"]), c["customFields"].get("segment")) for c in contacts
    }
    assert by_language == {("de", ("german",), "DACH"), ("fr", ("unsorted",), None)}


async def test_automation_writes_are_admin_only(app: FastAPI) -> None:
    admin = await signup(app)
    member = await admin.add_member("member")
    assert (await member.client.post("/api/automations", json=RULE)).status_code == 403
    assert (await member.client.get("/api/automations")).status_code == 403


async def test_invalid_rule_is_a_400(app: FastAPI) -> None:
    admin = await signup(app)
    bad = {
        "name": "x",
        "config": {
            "conditions": [{"field": "nope", "operator": "eq"}],
            "actions": [{"type": "add_tag", "tag": "a"}],
        },
    }
    response = await admin.client.post("/api/automations", json=bad)
    assert response.status_code == 400
    assert (await admin.client.post(f"/api/automations/{'0' * 8}/run")).status_code == 404
