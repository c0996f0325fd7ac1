"""Document 000's leads, deals, appointments and analytics examples replayed over HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup
from tests.pipeline_helpers import make_contact

SUNSHINE = {
    "businessName": "Sunshine Dental",
    "address": "123 Ocean Dr",
    "city": "Miami",
    "state": "FL",
    "zipCode": "33139",
    "phone": "+13055551234",
    "website": "https://sunshinedental.com",
    "rating": 4.5,
    "category": "dentist",
    "status": "NEW",
    "googlePlaceId": "ChIJ...",
    "source": "google_places",
}
OCEAN_VIEW = {
    "businessName": "Ocean View Restaurant",
    "address": "456 Beach Blvd",
    "city": "San Diego",
    "state": "CA",
    "zipCode": "92101",
    "phone": "+16195551234",
    "website": "https://oceanviewsd.com",
    "category": "restaurant",
    "status": "NEW",
    "source": "manual",
}


async def test_list_leads_example(app: FastAPI) -> None:
    owner = await signup(app)
    assert (await owner.client.post("/api/leads", json=SUNSHINE)).status_code == 201
    listed = await owner.client.get("/api/leads?status=NEW&category=dentist&city=Miami")
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 1
    lead = body["leads"][0]
    assert {key: lead[key] for key in SUNSHINE} == SUNSHINE
    assert {"id", "createdAt"} <= lead.keys()


async def test_create_lead_example(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post("/api/leads", json=OCEAN_VIEW)
    assert created.status_code == 201
    body = created.json()
    assert (body["businessName"], body["status"]) == ("Ocean View Restaurant", "NEW")
    assert {"id", "createdAt"} <= body.keys()


async def test_convert_lead_example(app: FastAPI) -> None:
    owner = await signup(app)
    lead = (await owner.client.post("/api/leads", json=SUNSHINE)).json()
    converted = await owner.client.post(
        f"/api/leads/{lead['id']}/convert",
        json={
            "contactData": {
                "firstName": "Maria",
                "lastName": "Garcia",
                "email": "maria@sunshinedental.com",
                "phone": "+13055551234",
            }
        },
    )
    assert converted.status_code == 200
    body = converted.json()
    assert body["success"] is True
    assert body["message"] == "Lead converted to contact"
    assert isinstance(body["contactId"], str)


async def test_list_deals_example(app: FastAPI) -> None:
    owner = await signup(app)
    alice = await make_contact(owner)
    await owner.client.post(
        "/api/deals",
        json={
            "title": "Website Redesign",
            "value": 15000,
            "stage": "PROPOSAL",
            "probability": 60,
            "expectedCloseDate": "2025-12-15T00:00:00.000Z",
            "contactIds": [alice],
        },
    )
    listed = await owner.client.get("/api/deals?stage=PROPOSAL")
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 1
    deal = body["deals"][0]
    assert (deal["title"], deal["value"], deal["stage"], deal["probability"]) == (
        "Website Redesign",
        15000,
        "PROPOSAL",
        60,
    )
    assert deal["expectedCloseDate"].startswith("2025-12-15T00:00:00")
    assert deal["contacts"] == [
        {
            "id": alice,
            "firstName": "Alice",
            "lastName": "Johnson",
            "email": deal["contacts"][0]["email"],
        }
    ]
    assert {"id", "createdAt", "updatedAt"} <= deal.keys()


async def test_create_deal_example(app: FastAPI) -> None:
    owner = await signup(app)
    alice = await make_contact(owner)
    created = await owner.client.post(
        "/api/deals",
        json={
            "title": "Mobile App Development",
            "value": 50000,
            "stage": "QUALIFIED",
            "probability": 40,
            "expectedCloseDate": "2026-02-01",
            "contactIds": [alice],
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["title"], body["value"], body["stage"]) == (
        "Mobile App Development",
        50000,
        "QUALIFIED",
    )
    assert {"id", "createdAt"} <= body.keys()


async def test_move_deal_stage_example(app: FastAPI) -> None:
    owner = await signup(app)
    deal = (await owner.client.post("/api/deals", json={"title": "Website Redesign"})).json()
    moved = await owner.client.patch(
        f"/api/deals/{deal['id']}/stage", json={"stage": "NEGOTIATION", "probability": 80}
    )
    assert moved.status_code == 200
    body = moved.json()
    assert (body["id"], body["stage"], body["probability"]) == (deal["id"], "NEGOTIATION", 80)
    assert "updatedAt" in body


async def test_list_appointments_example(app: FastAPI) -> None:
    owner = await signup(app)
    alice = await make_contact(owner)
    await owner.client.post(
        "/api/appointments",
        json={
            "title": "Consultation Call",
            "startTime": "2025-11-18T14:00:00.000Z",
            "endTime": "2025-11-18T15:00:00.000Z",
            "contactId": alice,
            "location": "Zoom",
            "notes": "Discuss project requirements",
        },
    )
    listed = await owner.client.get("/api/appointments?startDate=2025-11-15&endDate=2025-11-30")
    assert listed.status_code == 200
    appointment = listed.json()["appointments"][0]
    assert appointment["title"] == "Consultation Call"
    assert appointment["startTime"].startswith("2025-11-18T14:00:00")
    assert appointment["endTime"].startswith("2025-11-18T15:00:00")
    assert appointment["contactId"] == alice
    assert (appointment["contact"]["firstName"], appointment["contact"]["lastName"]) == (
        "Alice",
        "Johnson",
    )
    assert (appointment["location"], appointment["status"]) == ("Zoom", "SCHEDULED")
    assert appointment["notes"] == "Discuss project requirements"
    assert "createdAt" in appointment


async def test_create_appointment_example(app: FastAPI) -> None:
    owner = await signup(app)
    alice = await make_contact(owner)
    created = await owner.client.post(
        "/api/appointments",
        json={
            "title": "Discovery Meeting",
            "startTime": "2025-11-20T10:00:00.000Z",
            "endTime": "2025-11-20T11:00:00.000Z",
            "contactId": alice,
            "location": "Office - Room 3",
            "notes": "Bring project brief",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["title"], body["status"]) == ("Discovery Meeting", "SCHEDULED")
    assert body["startTime"].startswith("2025-11-20T10:00:00")
    assert {"id", "createdAt"} <= body.keys()


async def test_analytics_overview_example(app: FastAPI) -> None:
    owner = await signup(app)
    await make_contact(owner)
    await owner.client.post(
        "/api/deals", json={"title": "A", "value": 450000, "stage": "QUALIFIED"}
    )
    response = await owner.client.get(
        "/api/analytics/overview?startDate=2025-11-01&endDate=2025-11-13"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body["metrics"]) == {
        "totalContacts",
        "newContactsThisMonth",
        "totalLeads",
        "newLeadsThisMonth",
        "activeDeals",
        "dealsValue",
        "appointmentsScheduled",
        "messagesExchanged",
        "campaignsSent",
        "callsMade",
    }
    growth = body["charts"]["contactsGrowth"]
    assert (growth[0]["date"], growth[-1]["date"], len(growth)) == ("2025-11-01", "2025-11-13", 13)
    assert set(growth[0]) == {"date", "count"}
    assert body["charts"]["dealsByStage"] == [{"stage": "QUALIFIED", "count": 1, "value": 450000}]
