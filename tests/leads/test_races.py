"""Concurrent conversions and creations of leads: one wins, the others are a 409."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from tests.factories import signup
from tests.pipeline_helpers import make_lead


async def test_concurrent_conversions_make_one_contact_and_one_company(app: FastAPI) -> None:
    owner = await signup(app)
    lead = await make_lead(owner)
    path = f"/api/leads/{lead['id']}/convert"
    answers = await asyncio.gather(*(owner.client.post(path, json={}) for _ in range(4)))
    assert sorted(answer.status_code for answer in answers) == [200, 409, 409, 409]
    (winner,) = [answer.json() for answer in answers if answer.status_code == 200]
    refused = {answer.json()["contactId"] for answer in answers if answer.status_code == 409}
    assert refused == {winner["contactId"]}
    assert (await owner.client.get("/api/companies")).json()["total"] == 1
    assert (await owner.client.get("/api/contacts")).json()["total"] == 1
    stored = (await owner.client.get(f"/api/leads/{lead['id']}")).json()
    assert (stored["status"], stored["convertedContactId"]) == ("CONVERTED", winner["contactId"])


async def test_concurrent_leads_with_one_phone_make_one_lead_and_409s(app: FastAPI) -> None:
    owner = await signup(app)
    body = {"businessName": "Ocean Grill", "phone": "+16195551234"}
    answers = await asyncio.gather(*(owner.client.post("/api/leads", json=body) for _ in range(4)))
    assert sorted(answer.status_code for answer in answers) == [201, 409, 409, 409]
    (created,) = [answer.json()["id"] for answer in answers if answer.status_code == 201]
    assert {answer.json()["leadId"] for answer in answers if answer.status_code == 409} == {created}
    assert (await owner.client.get("/api/leads")).json()["total"] == 1


async def test_concurrent_imports_of_one_phone_make_one_lead(app: FastAPI) -> None:
    owner = await signup(app)
    body = {"leads": [{"businessName": "Ocean Grill", "phone": "+16195551234"}]}
    answers = await asyncio.gather(
        *(owner.client.post("/api/leads/import", json=body) for _ in range(3))
    )
    assert [answer.status_code for answer in answers] == [200] * 3
    assert sorted(answer.json()["created"] for answer in answers) == [0, 0, 1]
    assert (await owner.client.get("/api/leads")).json()["total"] == 1
