"""Deals over the native API: contacts embedded, stage moves with history, tenancy, N+1."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from kindred.contacts import interactions
from kindred.core.db.session import Database
from kindred.core.errors import ServiceUnavailable
from tests.factories import signup
from tests.pipeline_helpers import counting_statements, interactions_of, make_contact, make_deal


async def test_create_embeds_contacts_and_takes_the_stage_probability(app: FastAPI) -> None:
    owner = await signup(app)
    contact_id = await make_contact(owner)
    response = await owner.client.post(
        "/api/deals",
        json={
            "title": "Mobile App Development",
            "value": 50000,
            "stage": "QUALIFIED",
            "expectedCloseDate": "2026-02-01",
            "contactIds": [contact_id],
        },
    )
    assert response.status_code == 201, response.text
    deal = response.json()
    assert (deal["value"], deal["stage"], deal["probability"]) == (50000, "QUALIFIED", 25)
    assert deal["expectedCloseDate"].startswith("2026-02-01T00:00:00")
    assert [c["id"] for c in deal["contacts"]] == [contact_id]
    assert deal["contacts"][0]["firstName"] == "Alice"


async def test_list_filters_by_stage(app: FastAPI) -> None:
    owner = await signup(app)
    await make_deal(owner, title="A", stage="QUALIFIED")
    await make_deal(owner, title="B", stage="PROPOSAL")
    body = (await owner.client.get("/api/deals?stage=QUALIFIED")).json()
    assert [deal["title"] for deal in body["deals"]] == ["A"]
    assert body["total"] == 1


async def test_unknown_stage_is_400(app: FastAPI) -> None:
    owner = await signup(app)
    response = await owner.client.post("/api/deals", json={"title": "X", "stage": "NOPE"})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "stage"


async def test_another_workspaces_contact_is_404_and_creates_nothing(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    foreign = await make_contact(stranger)
    response = await owner.client.post("/api/deals", json={"title": "X", "contactIds": [foreign]})
    assert response.status_code == 404
    assert (await owner.client.get("/api/deals")).json()["total"] == 0


async def test_list_runs_the_same_number_of_queries_for_1_or_5_deals(
    app: FastAPI, database: Database
) -> None:
    owner = await signup(app)
    contact_id = await make_contact(owner)

    async def statements_for_list() -> int:
        with counting_statements(database) as statements:
            response = await owner.client.get("/api/deals")
        assert response.status_code == 200
        return len(statements)

    await make_deal(owner, contactIds=[contact_id])
    one = await statements_for_list()
    for number in range(4):
        extra = await make_contact(owner, first=f"C{number}")
        await make_deal(owner, title=f"D{number}", contactIds=[contact_id, extra])
    assert await statements_for_list() == one


async def test_stage_move_keeps_history_and_writes_interactions(app: FastAPI) -> None:
    owner = await signup(app)
    contacts = [await make_contact(owner), await make_contact(owner, first="Bob")]
    deal = await make_deal(owner, contactIds=contacts)
    moved = await owner.client.patch(
        f"/api/deals/{deal['id']}/stage", json={"stage": "NEGOTIATION", "probability": 80}
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["id"], body["stage"], body["probability"]) == (deal["id"], "NEGOTIATION", 80)
    assert "updatedAt" in body
    history = (await owner.client.get(f"/api/deals/{deal['id']}/history")).json()["history"]
    assert [(h["fromStage"], h["toStage"]) for h in history] == [
        (None, "PROPOSAL"),
        ("PROPOSAL", "NEGOTIATION"),
    ]
    assert history[1]["userId"] == owner.user_id
    for contact_id in contacts:
        timeline = await interactions_of(owner, contact_id)
        assert [item["type"] for item in timeline] == ["stage_change"]
        assert timeline[0]["metadata"]["to"] == "NEGOTIATION"


async def test_closing_won_sets_closed_at_and_reopening_clears_it(app: FastAPI) -> None:
    owner = await signup(app)
    deal = await make_deal(owner)
    path = f"/api/deals/{deal['id']}/stage"
    won = (await owner.client.patch(path, json={"stage": "CLOSED_WON"})).json()
    assert won["closedAt"] is not None
    assert won["probability"] == 100
    reopened = (await owner.client.patch(path, json={"stage": "PROPOSAL"})).json()
    assert reopened["closedAt"] is None


async def test_a_failure_half_way_through_a_stage_move_changes_nothing(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signup(app)
    deal = await make_deal(owner, contactIds=[await make_contact(owner)])

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise ServiceUnavailable("timeline unavailable")

    monkeypatch.setattr(interactions, "record_interaction", broken)
    response = await owner.client.patch(f"/api/deals/{deal['id']}/stage", json={"stage": "LEAD"})
    assert response.status_code == 503
    after = (await owner.client.get(f"/api/deals/{deal['id']}")).json()
    assert (after["stage"], after["probability"]) == ("PROPOSAL", 50)
    history = (await owner.client.get(f"/api/deals/{deal['id']}/history")).json()["history"]
    assert len(history) == 1


async def test_patch_replaces_contacts_and_updates_fields(app: FastAPI) -> None:
    owner = await signup(app)
    first, second = await make_contact(owner), await make_contact(owner, first="Bob")
    deal = await make_deal(owner, contactIds=[first])
    patched = await owner.client.patch(
        f"/api/deals/{deal['id']}",
        json={"contactIds": [second], "value": 1234.5, "currency": "eur"},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert [c["id"] for c in body["contacts"]] == [second]
    assert (body["value"], body["currency"]) == (1234.5, "EUR")


async def test_delete_removes_the_deal(app: FastAPI) -> None:
    owner = await signup(app)
    deal = await make_deal(owner)
    deleted = await owner.client.delete(f"/api/deals/{deal['id']}")
    assert deleted.json() == {"success": True, "message": "Deal deleted"}
    assert (await owner.client.get(f"/api/deals/{deal['id']}")).status_code == 404


async def test_another_workspaces_deal_is_404_everywhere(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    deal = await make_deal(owner)
    path = f"/api/deals/{deal['id']}"
    assert (await stranger.client.get(path)).status_code == 404
    assert (await stranger.client.patch(path, json={"title": "x"})).status_code == 404
    assert (await stranger.client.patch(f"{path}/stage", json={"stage": "LEAD"})).status_code == 404
    assert (await stranger.client.get(f"{path}/history")).status_code == 404
    assert (await stranger.client.delete(path)).status_code == 404
    assert (await owner.client.get(path)).json()["stage"] == "PROPOSAL"


async def test_patch_with_a_null_required_field_is_400_and_changes_nothing(app: FastAPI) -> None:
    owner = await signup(app)
    deal = await make_deal(owner)
    for field in ("currency", "title", "value", "stage", "probability"):
        response = await owner.client.patch(
            f"/api/deals/{deal['id']}", json={"lostReason": "x", field: None}
        )
        assert response.status_code == 400, response.text
        assert response.json()["details"][0]["field"] == field
    after = (await owner.client.get(f"/api/deals/{deal['id']}")).json()
    assert (after["currency"], after["lostReason"]) == ("USD", None)


async def test_a_close_date_out_of_range_once_in_utc_is_400(app: FastAPI) -> None:
    owner = await signup(app)
    for moment in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"):
        response = await owner.client.post(
            "/api/deals", json={"title": "X", "expectedCloseDate": moment}
        )
        assert response.status_code == 400, response.text
        assert response.json()["details"][0]["field"] == "expectedCloseDate"
    assert (await owner.client.get("/api/deals")).json()["total"] == 0


async def test_a_value_is_kept_in_whole_cents(app: FastAPI) -> None:
    owner = await signup(app)
    deal = await make_deal(owner, value=1234.567)
    assert deal["value"] == 1234.57
    patched = await owner.client.patch(f"/api/deals/{deal['id']}", json={"value": 0.004})
    assert patched.json()["value"] == 0
