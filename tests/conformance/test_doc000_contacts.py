"""Document 000's contacts examples replayed over HTTP: statuses and response shapes."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup

ALICE = {
    "firstName": "Alice",
    "lastName": "Johnson",
    "email": "alice@example.com",
    "phone": "+15559876543",
    "company": "Design Studio",
    "tags": ["Prospect"],
    "customFields": {"birthday": "1990-05-20", "preferredContact": "email"},
}


async def test_create_contact_example(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post("/api/contacts", json=ALICE)
    assert created.status_code == 201
    body = created.json()
    for key, value in ALICE.items():
        assert body[key] == value
    assert {"id", "userId", "createdAt", "updatedAt"} <= body.keys()


async def test_list_contacts_example(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post(
        "/api/contacts", json={**ALICE, "tags": ["VIP", "Customer"], "firstName": "John"}
    )
    listed = await owner.client.get("/api/contacts?page=1&limit=20&search=john&tags=VIP, Customer")
    assert listed.status_code == 200
    body = listed.json()
    assert {"contacts", "total", "page", "totalPages"} <= body.keys()
    contact = body["contacts"][0]
    assert {
        "id",
        "firstName",
        "lastName",
        "email",
        "phone",
        "company",
        "tags",
        "source",
        "createdAt",
        "updatedAt",
    } <= contact.keys()
    assert isinstance(contact["tags"], list)


async def test_get_update_delete_contact_examples(app: FastAPI) -> None:
    owner = await signup(app)
    contact_id = (await owner.client.post("/api/contacts", json=ALICE)).json()["id"]
    got = (await owner.client.get(f"/api/contacts/{contact_id}")).json()
    assert {"messages", "appointments", "notes", "tags"} <= got.keys()
    assert got["messages"] == []
    assert got["appointments"] == []
    assert got["notes"] == []
    updated = await owner.client.put(
        f"/api/contacts/{contact_id}",
        json={
            "tags": ["Prospect", "Hot Lead"],
            "customFields": {"birthday": "1990-05-20", "preferredContact": "phone"},
        },
    )
    assert updated.status_code == 200
    assert updated.json()["tags"] == ["Hot Lead", "Prospect"] or updated.json()["tags"] == [
        "Prospect",
        "Hot Lead",
    ]
    assert {"id", "firstName", "updatedAt"} <= updated.json().keys()
    deleted = await owner.client.delete(f"/api/contacts/{contact_id}")
    assert deleted.json() == {"success": True, "message": "Contact deleted"}


async def test_import_csv_example(app: FastAPI) -> None:
    owner = await signup(app)
    csv_text = (
        "firstName,lastName,email,phone,company\n"
        "John,Doe,john@example.com,+15551234567,Acme Corp\n"
        "Jane,Smith,jane@example.com,+15559876543,Tech Inc\n"
    )
    imported = await owner.client.post(
        "/api/contacts/import",
        files={"file": ("contacts.csv", csv_text, "text/csv")},
        data={"tagAll": "VIP"},
    )
    assert imported.status_code == 200
    body = imported.json()
    assert body["success"] is True
    assert body["imported"] == 2
    assert body["failed"] == 0
    assert isinstance(body["errors"], list)
    vip = (await owner.client.get("/api/contacts", params={"tags": "VIP"})).json()
    assert vip["total"] == 2
