"""Leads over the native API: filters, dedup, import, conversion and its atomicity."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI

from kindred.admin.stats import stats_for
from kindred.contacts import interactions
from kindred.core.db.session import Database
from kindred.core.errors import ServiceUnavailable
from tests.factories import signup
from tests.pipeline_helpers import interactions_of, make_lead


async def test_list_filters_by_status_category_and_city(app: FastAPI) -> None:
    owner = await signup(app)
    await make_lead(owner, businessName="Sunshine Dental")
    await make_lead(owner, businessName="Ocean Grill", category="restaurant")
    await make_lead(owner, businessName="Bay Dental", city="Tampa")
    await make_lead(owner, businessName="Old Dental", status="CONTACTED")
    response = await owner.client.get("/api/leads?status=NEW&category=dentist&city=Miami")
    assert response.status_code == 200
    body = response.json()
    assert [lead["businessName"] for lead in body["leads"]] == ["Sunshine Dental"]
    assert body["total"] == 1


async def test_search_matches_part_of_the_business_name(app: FastAPI) -> None:
    owner = await signup(app)
    await make_lead(owner, businessName="Sunshine Dental")
    await make_lead(owner, businessName="Ocean Grill")
    found = (await owner.client.get("/api/leads?search=shine")).json()
    assert [lead["businessName"] for lead in found["leads"]] == ["Sunshine Dental"]


async def test_duplicate_google_place_id_is_409(app: FastAPI) -> None:
    owner = await signup(app)
    first = await make_lead(owner, googlePlaceId="ChIJ-1")
    again = await owner.client.post(
        "/api/leads", json={"businessName": "Other", "googlePlaceId": "ChIJ-1"}
    )
    assert again.status_code == 409
    assert again.json()["leadId"] == first["id"]


async def test_phone_is_normalised_and_deduplicated(app: FastAPI) -> None:
    owner = await signup(app)
    lead = await make_lead(owner, phone="(305) 555-1234")
    assert lead["phone"] == "+13055551234"
    again = await owner.client.post(
        "/api/leads", json={"businessName": "Other", "phone": "+1 305 555 1234"}
    )
    assert again.status_code == 409


async def test_patch_updates_fields_and_delete_removes(app: FastAPI) -> None:
    owner = await signup(app)
    lead = await make_lead(owner)
    patched = await owner.client.patch(
        f"/api/leads/{lead['id']}", json={"status": "QUALIFIED", "notes": "Call back"}
    )
    assert patched.status_code == 200
    assert (patched.json()["status"], patched.json()["notes"]) == ("QUALIFIED", "Call back")
    deleted = await owner.client.delete(f"/api/leads/{lead['id']}")
    assert deleted.json() == {"success": True, "message": "Lead deleted"}
    assert (await owner.client.get(f"/api/leads/{lead['id']}")).status_code == 404


async def test_status_converted_cannot_be_set_by_patch(app: FastAPI) -> None:
    owner = await signup(app)
    lead = await make_lead(owner)
    response = await owner.client.patch(f"/api/leads/{lead['id']}", json={"status": "CONVERTED"})
    assert response.status_code == 400


async def test_import_skips_duplicates_and_reports_bad_rows(app: FastAPI) -> None:
    owner = await signup(app)
    await make_lead(owner, googlePlaceId="ChIJ-existing")
    rows = [
        {"businessName": "A", "googlePlaceId": "ChIJ-existing"},
        {"businessName": "B", "phone": "305-555-0001"},
        {"businessName": "C", "phone": "+13055550001"},
        {"businessName": "", "city": "Miami"},
        {"businessName": "D", "phone": "12"},
        {"businessName": "E", "source": "google_places"},
    ]
    response = await owner.client.post("/api/leads/import", json={"leads": rows})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["imported"], body["skipped"], body["failed"]) == (2, 2, 2)
    assert [error["row"] for error in body["errors"]] == [4, 5]
    listed = (await owner.client.get("/api/leads?limit=50")).json()["leads"]
    sources = {lead["businessName"]: lead["source"] for lead in listed}
    assert sources == {"Sunshine Dental": "manual", "B": "import", "E": "google_places"}


async def test_convert_creates_linked_contact_and_company(app: FastAPI) -> None:
    owner = await signup(app)
    lead = await make_lead(owner, website="https://sunshinedental.com")
    response = await owner.client.post(
        f"/api/leads/{lead['id']}/convert",
        json={"contactData": {"firstName": "Maria", "email": "maria@sunshinedental.com"}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Lead converted to contact"
    contact = (await owner.client.get(f"/api/contacts/{body['contactId']}")).json()
    assert contact["firstName"] == "Maria"
    assert contact["company"] == "Sunshine Dental"
    company = (await owner.client.get(f"/api/companies/{body['companyId']}")).json()
    assert company["website"] == "https://sunshinedental.com"
    converted = (await owner.client.get(f"/api/leads/{lead['id']}")).json()
    assert converted["status"] == "CONVERTED"
    assert converted["convertedContactId"] == body["contactId"]
    timeline = await interactions_of(owner, body["contactId"])
    assert [item["type"] for item in timeline] == ["stage_change"]


async def test_converting_twice_is_409_with_the_contact_and_creates_nothing(app: FastAPI) -> None:
    owner = await signup(app)
    lead = await make_lead(owner)
    first = await owner.client.post(f"/api/leads/{lead['id']}/convert", json={})
    contacts_before = (await owner.client.get("/api/contacts")).json()["total"]
    second = await owner.client.post(f"/api/leads/{lead['id']}/convert", json={})
    assert second.status_code == 409
    assert second.json()["contactId"] == first.json()["contactId"]
    assert (await owner.client.get("/api/contacts")).json()["total"] == contacts_before


async def test_a_failure_half_way_through_conversion_changes_nothing(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signup(app)
    lead = await make_lead(owner)

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise ServiceUnavailable("timeline unavailable")

    monkeypatch.setattr(interactions, "record_interaction", broken)
    response = await owner.client.post(f"/api/leads/{lead['id']}/convert", json={})
    assert response.status_code == 503
    assert (await owner.client.get(f"/api/leads/{lead['id']}")).json()["status"] == "NEW"
    assert (await owner.client.get("/api/contacts")).json()["total"] == 0
    assert (await owner.client.get("/api/companies")).json()["total"] == 0


async def test_another_workspaces_lead_is_404(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    lead = await make_lead(owner)
    path = f"/api/leads/{lead['id']}"
    assert (await stranger.client.get(path)).status_code == 404
    assert (await stranger.client.patch(path, json={"notes": "x"})).status_code == 404
    assert (await stranger.client.post(f"{path}/convert", json={})).status_code == 404
    assert (await stranger.client.delete(path)).status_code == 404
    assert (await owner.client.get(path)).json()["notes"] is None


async def test_viewers_read_but_cannot_write(app: FastAPI) -> None:
    owner = await signup(app)
    viewer = await owner.add_member("viewer")
    await make_lead(owner)
    assert (await viewer.client.get("/api/leads")).json()["total"] == 1
    refused = await viewer.client.post("/api/leads", json={"businessName": "X"})
    assert refused.status_code == 403


async def test_leads_are_counted_per_owner_for_the_admin_user_list(
    app: FastAPI, database: Database
) -> None:
    owner = await signup(app)
    await make_lead(owner)
    await make_lead(owner, businessName="Second")
    async with database.session_scope() as session:
        stats = await stats_for(session, [uuid.UUID(owner.user_id)])
    assert stats[uuid.UUID(owner.user_id)]["leads"] == 2


async def test_convert_can_name_the_company_and_import_can_set_the_source(app: FastAPI) -> None:
    owner = await signup(app)
    lead = await make_lead(owner)
    converted = await owner.client.post(
        f"/api/leads/{lead['id']}/convert", json={"companyName": "Sunshine Dental Group"}
    )
    company = await owner.client.get(f"/api/companies/{converted.json()['companyId']}")
    assert company.json()["name"] == "Sunshine Dental Group"
    imported = await owner.client.post(
        "/api/leads/import", json={"leads": [{"businessName": "P"}], "source": "google_places"}
    )
    assert imported.json()["imported"] == 1
    found = (await owner.client.get("/api/leads?search=P")).json()["leads"]
    assert {lead["source"] for lead in found if lead["businessName"] == "P"} == {"google_places"}


async def test_a_converted_lead_cannot_be_reopened_and_converted_again(app: FastAPI) -> None:
    owner = await signup(app)
    lead = await make_lead(owner)
    converted = await owner.client.post(f"/api/leads/{lead['id']}/convert", json={})
    reopened = await owner.client.patch(f"/api/leads/{lead['id']}", json={"status": "NEW"})
    assert reopened.status_code == 409, reopened.text
    assert reopened.json()["contactId"] == converted.json()["contactId"]
    assert (await owner.client.get(f"/api/leads/{lead['id']}")).json()["status"] == "CONVERTED"
    renamed = await owner.client.patch(f"/api/leads/{lead['id']}", json={"notes": "Signed"})
    assert renamed.status_code == 200, renamed.text
