"""Appointments over the native API: range queries, overlap rule, tenancy, calendar feed."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from tests.conftest import client_for
from tests.factories import signup
from tests.pipeline_helpers import make_appointment, make_contact


async def test_list_returns_appointments_overlapping_the_range_with_contact(app: FastAPI) -> None:
    owner = await signup(app)
    contact_id = await make_contact(owner)
    await make_appointment(owner, contactId=contact_id, location="Zoom")
    await make_appointment(
        owner, title="Later", startTime="2025-12-05T10:00:00Z", endTime="2025-12-05T11:00:00Z"
    )
    await make_appointment(
        owner, title="Spans", startTime="2025-11-14T23:30:00Z", endTime="2025-11-15T00:30:00Z"
    )
    body = (
        await owner.client.get("/api/appointments?startDate=2025-11-15&endDate=2025-11-30")
    ).json()
    assert [a["title"] for a in body["appointments"]] == ["Spans", "Consultation Call"]
    consultation = body["appointments"][1]
    assert consultation["contactId"] == contact_id
    assert consultation["contact"]["firstName"] == "Alice"
    assert consultation["status"] == "SCHEDULED"


async def test_end_before_start_is_400(app: FastAPI) -> None:
    owner = await signup(app)
    response = await owner.client.post(
        "/api/appointments",
        json={"title": "X", "startTime": "2025-11-20T11:00:00Z", "endTime": "2025-11-20T10:00:00Z"},
    )
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "endTime"


async def test_overlap_for_the_same_owner_is_409_unless_allowed(app: FastAPI) -> None:
    owner = await signup(app)
    first = await make_appointment(owner)
    overlapping = {
        "title": "Clash",
        "startTime": "2025-11-18T14:30:00Z",
        "endTime": "2025-11-18T15:30:00Z",
    }
    refused = await owner.client.post("/api/appointments", json=overlapping)
    assert refused.status_code == 409
    assert refused.json()["conflictingId"] == first["id"]
    allowed = await owner.client.post(
        "/api/appointments", json=overlapping | {"allowOverlap": True}
    )
    assert allowed.status_code == 201


async def test_back_to_back_and_cancelled_slots_do_not_conflict(app: FastAPI) -> None:
    owner = await signup(app)
    first = await make_appointment(owner)
    await make_appointment(
        owner, title="Next", startTime="2025-11-18T15:00:00Z", endTime="2025-11-18T16:00:00Z"
    )
    await owner.client.patch(f"/api/appointments/{first['id']}", json={"status": "CANCELLED"})
    await make_appointment(owner, title="Rebooked")


async def test_another_members_calendar_does_not_conflict(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    await make_appointment(owner)
    await make_appointment(member)


async def test_patch_reschedules_and_rechecks_overlap(app: FastAPI) -> None:
    owner = await signup(app)
    await make_appointment(owner)
    other = await make_appointment(
        owner, title="Other", startTime="2025-11-19T14:00:00Z", endTime="2025-11-19T15:00:00Z"
    )
    path = f"/api/appointments/{other['id']}"
    clash = {"startTime": "2025-11-18T14:00:00Z", "endTime": "2025-11-18T15:00:00Z"}
    assert (await owner.client.patch(path, json=clash)).status_code == 409
    moved = await owner.client.patch(
        path, json={"startTime": "2025-11-19T16:00:00Z", "endTime": "2025-11-19T17:00:00Z"}
    )
    assert moved.status_code == 200
    assert moved.json()["startTime"].startswith("2025-11-19T16:00:00")


async def test_another_workspaces_contact_is_404(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    foreign = await make_contact(stranger)
    response = await owner.client.post(
        "/api/appointments",
        json={
            "title": "X",
            "startTime": "2025-11-20T10:00:00Z",
            "endTime": "2025-11-20T11:00:00Z",
            "contactId": foreign,
        },
    )
    assert response.status_code == 404


async def test_another_workspaces_appointment_is_404(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    appointment = await make_appointment(owner)
    path = f"/api/appointments/{appointment['id']}"
    assert (await stranger.client.get(path)).status_code == 404
    assert (await stranger.client.patch(path, json={"title": "x"})).status_code == 404
    assert (await stranger.client.delete(path)).status_code == 404
    assert (await owner.client.get(path)).json()["title"] == "Consultation Call"


async def test_delete_removes_the_appointment(app: FastAPI) -> None:
    owner = await signup(app)
    appointment = await make_appointment(owner)
    deleted = await owner.client.delete(f"/api/appointments/{appointment['id']}")
    assert deleted.json() == {"success": True, "message": "Appointment deleted"}
    assert (await owner.client.get(f"/api/appointments/{appointment['id']}")).status_code == 404


async def test_calendar_feed_is_served_to_the_signed_in_user(app: FastAPI) -> None:
    owner = await signup(app)
    await make_appointment(
        owner, startTime="2099-01-01T10:00:00Z", endTime="2099-01-01T11:00:00Z", location="Room 3"
    )
    response = await owner.client.get("/api/appointments.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "DTSTART:20990101T100000Z\r\n" in response.text
    assert "LOCATION:Room 3\r\n" in response.text


async def test_feed_token_url_works_without_other_credentials(app: FastAPI) -> None:
    owner = await signup(app)
    await make_appointment(owner, startTime="2099-01-01T10:00:00Z", endTime="2099-01-01T11:00:00Z")
    issued = (await owner.client.post("/api/appointments/feed-token")).json()
    assert issued["url"].startswith("http://testserver/api/appointments.ics?token=kcf_")
    async with client_for(app) as calendar_app:
        feed = await calendar_app.get(issued["url"])
        assert feed.status_code == 200
        assert "SUMMARY:Consultation Call" in feed.text
        assert (await calendar_app.get("/api/appointments.ics?token=kcf_wrong")).status_code == 401
        assert (await calendar_app.get("/api/appointments.ics")).status_code == 401


async def test_a_new_feed_token_revokes_the_previous_url(app: FastAPI) -> None:
    owner = await signup(app)
    old = (await owner.client.post("/api/appointments/feed-token")).json()
    await owner.client.post("/api/appointments/feed-token")
    async with client_for(app) as calendar_app:
        assert (await calendar_app.get(old["url"])).status_code == 401


async def test_feed_shows_only_the_token_owners_appointments(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    await make_appointment(
        member,
        title="Member only",
        startTime="2099-01-01T10:00:00Z",
        endTime="2099-01-01T11:00:00Z",
    )
    issued = (await owner.client.post("/api/appointments/feed-token")).json()
    async with client_for(app) as calendar_app:
        assert "Member only" not in (await calendar_app.get(issued["url"])).text


async def test_times_without_a_zone_are_utc_and_compare_with_stored_ones(app: FastAPI) -> None:
    owner = await signup(app)
    mixed = await owner.client.post(
        "/api/appointments",
        json={"title": "Mixed", "startTime": "2025-12-20T10:00:00", "endTime": "2025-12-20T11:00Z"},
    )
    assert mixed.status_code == 201, mixed.text
    assert mixed.json()["startTime"] == "2025-12-20T10:00:00Z"
    moved = await owner.client.patch(
        f"/api/appointments/{mixed.json()['id']}", json={"startTime": "2025-12-20T10:30:00"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["startTime"] == "2025-12-20T10:30:00Z"


async def test_times_with_an_offset_are_answered_in_utc(app: FastAPI) -> None:
    owner = await signup(app)
    booked = await make_appointment(
        owner, startTime="2025-12-22T10:00:00+05:00", endTime="2025-12-22T06:00:00Z"
    )
    assert (booked["startTime"], booked["endTime"]) == (
        "2025-12-22T05:00:00Z",
        "2025-12-22T06:00:00Z",
    )


async def test_times_out_of_range_once_in_utc_are_400(app: FastAPI) -> None:
    owner = await signup(app)
    booked = await make_appointment(owner)
    too_early = {"startTime": "0001-01-01T00:00:00+01:00", "endTime": "0001-01-01T02:00:00Z"}
    created = await owner.client.post("/api/appointments", json={"title": "X", **too_early})
    moved = await owner.client.patch(
        f"/api/appointments/{booked['id']}", json={"endTime": "9999-12-31T23:00:00-05:00"}
    )
    for response in (created, moved):
        assert response.status_code == 400, response.text
    assert (await owner.client.get("/api/appointments")).json()["total"] == 1


async def test_a_range_ending_on_the_last_representable_day_is_400(app: FastAPI) -> None:
    owner = await signup(app)
    response = await owner.client.get("/api/appointments?endDate=9999-12-31")
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "endDate"


async def test_one_slot_booked_concurrently_is_booked_once(app: FastAPI) -> None:
    owner = await signup(app)
    slot = {"title": "Call", "startTime": "2027-01-04T10:00:00Z", "endTime": "2027-01-04T11:00:00Z"}
    booked = await asyncio.gather(
        *(owner.client.post("/api/appointments", json=slot) for _ in range(4))
    )
    assert sorted(response.status_code for response in booked) == [201, 409, 409, 409]
    assert (await owner.client.get("/api/appointments")).json()["total"] == 1
