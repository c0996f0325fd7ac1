"""Companies over the native API."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup


async def test_company_crud_and_its_contacts(app: FastAPI) -> None:
    owner = await signup(app)
    company = (
        await owner.client.post("/api/companies", json={"name": "Acme", "dealValue": 10})
    ).json()
    await owner.client.post("/api/contacts", json={"firstName": "In", "companyId": company["id"]})
    await owner.client.post("/api/contacts", json={"firstName": "Out"})
    contacts = (await owner.client.get(f"/api/companies/{company['id']}/contacts")).json()
    assert [c["firstName"] for c in contacts["contacts"]] == ["In"]
    updated = await owner.client.put(f"/api/companies/{company['id']}", json={"industry": "Tech"})
    assert updated.json()["industry"] == "Tech"
    assert updated.json()["name"] == "Acme"
    assert (await owner.client.delete(f"/api/companies/{company['id']}")).json()["success"] is True
    assert (await owner.client.get(f"/api/companies/{company['id']}")).status_code == 404


async def test_contact_with_another_workspaces_company_is_refused(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    company = (await stranger.client.post("/api/companies", json={"name": "Theirs"})).json()
    refused = await owner.client.post("/api/contacts", json={"companyId": company["id"]})
    assert refused.status_code == 404


async def test_last_contact_is_answered_in_utc(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post(
        "/api/companies", json={"name": "Acme", "lastContact": "2024-01-15T10:30:00+02:00"}
    )
    assert created.json()["lastContact"] == "2024-01-15T08:30:00Z"


async def test_last_contact_out_of_range_once_in_utc_is_400(app: FastAPI) -> None:
    owner = await signup(app)
    company = (await owner.client.post("/api/companies", json={"name": "Acme"})).json()
    created = await owner.client.post(
        "/api/companies", json={"name": "Old", "lastContact": "0001-01-01T00:00:00+01:00"}
    )
    updated = await owner.client.put(
        f"/api/companies/{company['id']}", json={"lastContact": "9999-12-31T23:59:59-01:00"}
    )
    for response in (created, updated):
        assert response.status_code == 400, response.text
        assert response.json()["details"][0]["field"] == "lastContact"
    assert (await owner.client.get("/api/companies")).json()["total"] == 1
