"""Document 002's segment routes over HTTP, with its status codes and shapes."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup

SEGMENT_KEYS = {"id", "name", "description", "filter", "crossWorkspace"}
FILTER = {
    "match": "all",
    "conditions": [{"field": "email", "operator": "contains", "value": "@example.com"}],
}


async def test_segment_routes(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post("/api/contacts", json={"email": "a@example.com", "firstName": "A"})
    body = {"name": "Examples", "description": None, "filter": FILTER, "crossWorkspace": False}
    created = await owner.client.post("/api/segments", json=body)
    assert created.status_code == 201
    assert created.json().keys() >= SEGMENT_KEYS
    segment_id = created.json()["id"]
    listed = await owner.client.get("/api/segments")
    assert listed.status_code == 200
    assert isinstance(listed.json(), list)
    assert (await owner.client.get(f"/api/segments/{segment_id}")).status_code == 200
    updated = await owner.client.put(f"/api/segments/{segment_id}", json={"name": "Renamed"})
    assert updated.status_code == 200
    assert updated.json()["name"] == "Renamed"
    preview = await owner.client.post("/api/segments/preview", json={"filter": FILTER})
    assert preview.status_code == 200
    assert preview.json()["count"] == 1
    assert preview.json()["contacts"][0].keys() == {"id", "email", "first_name", "last_name"}
    deleted = await owner.client.delete(f"/api/segments/{segment_id}")
    assert deleted.status_code == 200
    assert deleted.json()["success"] is True
    assert (await owner.client.get(f"/api/segments/{segment_id}")).status_code == 404


async def test_segment_errors(app: FastAPI) -> None:
    owner = await signup(app)
    missing = "/api/segments/00000000-0000-0000-0000-000000000000"
    assert (await owner.client.post("/api/segments", json={"name": "No filter"})).status_code == 400
    bad = {"name": "Bad", "filter": {"match": "every", "conditions": []}}
    assert (await owner.client.post("/api/segments", json=bad)).status_code == 400
    unknown = {"match": "all", "conditions": [{"field": "x", "operator": "eq", "value": 1}]}
    preview = await owner.client.post("/api/segments/preview", json={"filter": unknown})
    assert preview.status_code == 400
    assert {"error", "details"} <= preview.json().keys()
    assert (await owner.client.get(missing)).status_code == 404
    assert (await owner.client.put(missing, json={"name": "x"})).status_code == 404
    assert (await owner.client.delete(missing)).status_code == 404


async def test_segment_writes_need_the_admin_role(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    body = {"name": "Mine", "filter": FILTER}
    assert (await member.client.post("/api/segments", json=body)).status_code == 403
    assert (await member.client.get("/api/segments")).status_code == 200
