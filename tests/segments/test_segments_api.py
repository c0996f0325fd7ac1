"""Segments over HTTP: CRUD with roles, preview and paged contacts counted by the database,
validation errors with paths, tenancy, and cross-workspace segments for platform admins."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from kindred.admin.service import ensure_platform_admin
from kindred.core.db.session import Database
from tests.factories import PASSWORD, Actor, signup, unique_email

VIP = {"match": "all", "conditions": [{"field": "tags", "operator": "has", "value": "vip"}]}


async def add_contact(actor: Actor, **fields: Any) -> dict[str, Any]:
    body = {"email": unique_email("c"), **fields}
    response = await actor.client.post("/api/contacts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_segment(actor: Actor, filter_: dict[str, Any] = VIP, **extra: Any) -> Any:
    return await actor.client.post(
        "/api/segments", json={"name": "VIPs", "filter": filter_, **extra}
    )


@pytest.fixture
async def owner(app: FastAPI) -> Actor:
    return await signup(app)


async def test_preview_counts_matches_and_lists_the_newest_fifty(owner: Actor) -> None:
    for index in range(52):
        await add_contact(owner, firstName=f"V{index}", tags=["VIP"])
    await add_contact(owner, firstName="Other")
    response = await owner.client.post("/api/segments/preview", json={"filter": VIP})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 52
    assert len(body["contacts"]) == 50
    assert set(body["contacts"][0]) == {"id", "email", "first_name", "last_name"}
    assert body["contacts"][0]["first_name"] == "V51"


async def test_preview_types_custom_fields_by_their_definitions(owner: Actor) -> None:
    field = {"name": "score", "label": "Score", "fieldType": "number"}
    assert (await owner.client.post("/api/fields", json=field)).status_code == 201
    await add_contact(owner, customFields={"score": "9"})
    await add_contact(owner, customFields={"score": "10"})
    numeric = {"conditions": [{"field": "customFields.score", "operator": "gt", "value": 9.5}]}
    response = await owner.client.post("/api/segments/preview", json={"filter": numeric})
    assert response.json()["count"] == 1


async def test_an_invalid_filter_is_a_400_naming_the_condition(owner: Actor) -> None:
    bad = {
        "match": "any",
        "conditions": [
            {"field": "email", "operator": "is_set"},
            {"match": "all", "conditions": [{"field": "shoeSize", "operator": "eq", "value": 4}]},
        ],
    }
    response = await owner.client.post("/api/segments/preview", json={"filter": bad})
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_FILTER"
    assert response.json()["details"][0]["field"] == "conditions[1].conditions[0]"
    assert (await create_segment(owner, bad)).status_code == 400
    assert (await owner.client.get("/api/segments")).json() == []


async def test_segment_crud_round_trip(owner: Actor) -> None:
    created = await create_segment(owner, description="Top customers")
    assert created.status_code == 201
    segment = created.json()
    assert segment["filter"] == VIP
    assert segment["crossWorkspace"] is False
    path = f"/api/segments/{segment['id']}"
    assert (await owner.client.get(path)).json()["name"] == "VIPs"
    updated = await owner.client.put(path, json={"name": "Renamed", "description": None})
    assert updated.json()["name"] == "Renamed"
    assert updated.json()["description"] is None
    assert [s["id"] for s in (await owner.client.get("/api/segments")).json()] == [segment["id"]]
    deleted = await owner.client.delete(path)
    assert deleted.status_code == 200
    assert deleted.json()["success"] is True
    assert (await owner.client.get(path)).status_code == 404


async def test_segment_contacts_are_paged_full_contacts(owner: Actor) -> None:
    for index in range(3):
        await add_contact(owner, firstName=f"P{index}", tags=["vip"])
    segment = (await create_segment(owner)).json()
    response = await owner.client.get(
        f"/api/segments/{segment['id']}/contacts", params={"limit": 2, "page": 2}
    )
    body = response.json()
    assert (body["total"], body["page"], body["pageSize"], body["totalPages"]) == (3, 2, 2, 2)
    assert [c["firstName"] for c in body["contacts"]] == ["P0"]
    assert body["contacts"][0]["tags"] == ["vip"]


async def test_members_read_segments_but_only_admins_write(owner: Actor) -> None:
    segment = (await create_segment(owner)).json()
    member = await owner.add_member("member")
    viewer = await owner.add_member("viewer")
    assert (await create_segment(member)).status_code == 403
    path = f"/api/segments/{segment['id']}"
    assert (await member.client.put(path, json={"name": "x"})).status_code == 403
    assert (await member.client.delete(path)).status_code == 403
    assert (await viewer.client.get(path)).status_code == 200
    preview = await viewer.client.post("/api/segments/preview", json={"filter": VIP})
    assert preview.status_code == 200


async def test_another_workspace_sees_neither_segments_nor_contacts(
    app: FastAPI, owner: Actor
) -> None:
    await add_contact(owner, tags=["vip"])
    segment = (await create_segment(owner)).json()
    stranger = await signup(app)
    path = f"/api/segments/{segment['id']}"
    assert (await stranger.client.get(path)).status_code == 404
    assert (await stranger.client.get(f"{path}/contacts")).status_code == 404
    assert (await stranger.client.put(path, json={"name": "mine"})).status_code == 404
    preview = await stranger.client.post("/api/segments/preview", json={"filter": VIP})
    assert preview.json()["count"] == 0


async def test_only_platform_admins_create_cross_workspace_segments(
    app: FastAPI, database: Database, owner: Actor
) -> None:
    assert (await create_segment(owner, crossWorkspace=True)).status_code == 403
    other = await signup(app)
    await add_contact(other, tags=["vip"])
    await add_contact(owner, tags=["VIP"])
    async with database.session_scope() as session:
        await ensure_platform_admin(session, email=owner.email, password=PASSWORD, name="Root")
    created = await create_segment(owner, crossWorkspace=True)
    assert created.status_code == 201
    listed = await owner.client.get(f"/api/segments/{created.json()['id']}/contacts")
    workspaces = {contact["workspaceId"] for contact in listed.json()["contacts"]}
    assert {owner.workspace_id, other.workspace_id} <= workspaces
    member = await owner.add_member("member")
    refused = await member.client.get(f"/api/segments/{created.json()['id']}/contacts")
    assert refused.status_code == 403
