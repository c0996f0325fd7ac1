"""Document 002's contacts, tags, fields, interactions and import routes over HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup

TAG_KEYS = {"id", "name", "color"}


async def test_contact_routes(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post(
        "/api/contacts",
        json={
            "email": "x@example.com",
            "firstName": "X",
            "lastName": None,
            "customFields": {"a": "b"},
        },
    )
    assert created.status_code == 201
    contact_id = created.json()["id"]
    listed = (await owner.client.get("/api/contacts")).json()
    assert {"contacts", "total", "page", "pageSize"} <= listed.keys()
    updated = await owner.client.put(
        f"/api/contacts/{contact_id}",
        json={
            "language": "fr",
            "globallyUnsubscribed": True,
            "communicationPreferences": {"email": "weekly"},
        },
    )
    assert updated.status_code == 200
    assert updated.json()["language"] == "fr"
    assert (
        await owner.client.post("/api/contacts", json={"email": "X@example.com"})
    ).status_code == 409
    assert (await owner.client.post("/api/contacts", json={"email": "bad"})).status_code == 400
    assert (await owner.client.delete(f"/api/contacts/{contact_id}")).json()["success"] is True
    assert (await owner.client.get(f"/api/contacts/{contact_id}")).status_code == 404


async def test_tag_routes(app: FastAPI) -> None:
    owner = await signup(app)
    tag = await owner.client.post("/api/tags", json={"name": "VIP", "color": "#ff0000"})
    assert tag.status_code == 201
    assert tag.json().keys() >= TAG_KEYS
    assert (await owner.client.post("/api/tags", json={"name": "VIP"})).status_code == 409
    tag_id = tag.json()["id"]
    assert (await owner.client.put(f"/api/tags/{tag_id}", json={"name": "Gold"})).json()[
        "name"
    ] == "Gold"
    assert [t["name"] for t in (await owner.client.get("/api/tags")).json()] == ["Gold"]
    contact_id = (await owner.client.post("/api/contacts", json={"firstName": "T"})).json()["id"]
    added = await owner.client.post(f"/api/contacts/{contact_id}/tags", json={"tagId": tag_id})
    assert [t["id"] for t in added.json()] == [tag_id]
    batch = (await owner.client.get(f"/api/contacts/tags?ids={contact_id}")).json()
    assert [t["id"] for t in batch[contact_id]] == [tag_id]
    removed = await owner.client.request(
        "DELETE", f"/api/contacts/{contact_id}/tags", json={"tagId": tag_id}
    )
    assert removed.json() == []
    assert (await owner.client.get(f"/api/contacts/{contact_id}/tags")).json() == []
    assert (await owner.client.delete(f"/api/tags/{tag_id}")).json()["success"] is True
    assert (await owner.client.delete(f"/api/tags/{tag_id}")).status_code == 404


async def test_field_routes(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post(
        "/api/fields",
        json={
            "name": "plan",
            "label": "Plan",
            "fieldType": "select",
            "options": ["a", "b"],
            "sortOrder": 1,
        },
    )
    assert created.status_code == 201
    assert {"id", "name", "label", "fieldType", "options", "sortOrder"} <= created.json().keys()
    assert (
        await owner.client.post(
            "/api/fields", json={"name": "plan", "label": "P", "fieldType": "text", "sortOrder": 0}
        )
    ).status_code == 409
    field_id = created.json()["id"]
    updated = await owner.client.put(f"/api/fields/{field_id}", json={"label": "Pricing plan"})
    assert updated.json()["label"] == "Pricing plan"
    assert isinstance((await owner.client.get("/api/fields")).json(), list)
    assert (await owner.client.delete(f"/api/fields/{field_id}")).json()["success"] is True
    assert (
        await owner.client.put(f"/api/fields/{field_id}", json={"label": "x"})
    ).status_code == 404


async def test_interaction_routes(app: FastAPI) -> None:
    owner = await signup(app)
    contact_id = (await owner.client.post("/api/contacts", json={"firstName": "I"})).json()["id"]
    created = await owner.client.post(
        f"/api/contacts/{contact_id}/interactions",
        json={
            "type": "note",
            "subject": "Hi",
            "body": "Met",
            "occurredAt": "2025-01-01T10:00:00Z",
            "metadata": {"k": "v"},
        },
    )
    assert created.status_code == 201
    assert created.json()["metadata"] == {"k": "v"}
    listed = (await owner.client.get(f"/api/contacts/{contact_id}/interactions")).json()
    assert {"interactions", "total", "page", "pageSize"} <= listed.keys()
    assert listed["total"] == 1
    detail = (await owner.client.get(f"/api/contacts/{contact_id}")).json()
    assert [note["subject"] for note in detail["notes"]] == ["Hi"]
    assert (
        await owner.client.post(f"/api/contacts/{contact_id}/interactions", json={"type": "tweet"})
    ).status_code == 400
    interaction_id = created.json()["id"]
    assert (await owner.client.delete(f"/api/interactions/{interaction_id}")).json()[
        "success"
    ] is True
    assert (await owner.client.delete(f"/api/interactions/{interaction_id}")).status_code == 404


async def test_json_import_route(app: FastAPI) -> None:
    owner = await signup(app)
    imported = await owner.client.post(
        "/api/contacts/import",
        json={
            "rows": [{"Email": "r@example.com", "Name": "R"}],
            "mapping": {"Email": "email", "Name": "firstName"},
            "constantValues": {"_tags": ["csv-import"]},
            "skipDuplicates": True,
        },
    )
    assert imported.status_code == 200
    assert {"total", "created", "updated", "skipped", "errors"} <= imported.json().keys()
    assert imported.json()["created"] == 1
