"""Document 004's companies and contacts examples under `/api/v1` with a Bearer key."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup

COMPANY_KEYS = {
    "id",
    "name",
    "website",
    "industry",
    "dealValue",
    "stageId",
    "position",
    "logoUrl",
    "notes",
    "lastContact",
    "isCustomer",
    "createdBy",
    "createdAt",
    "updatedAt",
}
CONTACT_KEYS = {
    "id",
    "companyId",
    "name",
    "email",
    "phone",
    "title",
    "role",
    "notes",
    "isPrimary",
    "userId",
    "createdAt",
    "updatedAt",
}


async def test_companies_and_contacts_by_company(app: FastAPI) -> None:
    owner = await signup(app)
    company = await owner.client.post(
        "/api/companies",
        json={
            "name": "Acme Corporation",
            "website": "https://acme.com",
            "industry": "Technology",
            "dealValue": 50000,
            "stageId": "stage-123",
            "logoUrl": "https://example.com/logo.png",
            "notes": "Important client",
            "isCustomer": False,
        },
    )
    company_id = company.json()["id"]
    await owner.client.post(
        "/api/contacts",
        json={
            "firstName": "John",
            "lastName": "Doe",
            "companyId": company_id,
            "title": "CEO",
            "role": "Decision Maker",
            "isPrimary": True,
        },
    )
    await owner.client.post("/api/contacts", json={"firstName": "Elsewhere"})
    client, _ = await owner.api_key_client()
    companies = await client.get("/api/v1/companies")
    assert companies.status_code == 200
    assert companies.json()[0].keys() == COMPANY_KEYS
    all_contacts = (await client.get("/api/v1/contacts")).json()
    assert len(all_contacts) == 2
    assert all_contacts[0].keys() == CONTACT_KEYS
    of_company = (await client.get(f"/api/v1/contacts?companyId={company_id}")).json()
    assert [c["name"] for c in of_company] == ["John Doe"]


async def test_missing_key_is_401(app: FastAPI) -> None:
    from tests.conftest import client_for

    async with client_for(app) as anonymous:
        assert (await anonymous.get("/api/v1/companies")).status_code == 401
