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
