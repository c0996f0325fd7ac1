"""Campaign input refused before it is stored, and edits that stay possible once sending began."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import captured, create, make_contact, run_jobs
from tests.factories import Actor, signup

BROKEN_NAMES = ["Ann\r\nBcc: everyone@example.com", "Ann\nSmith", "Ann\rSmith"]


async def _refused_on_create_and_update(actor: Actor, field: str, value: str) -> None:
    """`field: value` is a 400 naming the field on create (nothing stored) and on update (the
    campaign unchanged)."""
    created = await actor.client.post(
        "/api/campaigns", json={"name": "x", "subject": "s", "body": "Hi", field: value}
    )
    assert created.status_code == 400, created.text
    assert created.json()["details"][0]["field"] == field
    assert (await actor.client.get("/api/campaigns")).json()["campaigns"] == []
    campaign = await create(actor)
    base = f"/api/campaigns/{campaign['id']}"
    updated = await actor.client.put(base, json={field: value})
    assert updated.status_code == 400, updated.text
    assert (await actor.client.get(base)).json() == campaign


@pytest.mark.parametrize("from_name", BROKEN_NAMES)
async def test_a_from_name_that_is_not_one_header_line_is_a_400_on_create_and_update(
    app: FastAPI, from_name: str
) -> None:
    await _refused_on_create_and_update(await signup(app), "fromName", from_name)


async def test_a_from_name_with_accents_and_quotes_still_sends(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["f"])
    campaign = await create(actor, targetTags=["f"], fromName='Zoë "Sales", Acme')
    assert (await actor.client.post(f"/api/campaigns/{campaign['id']}/send")).is_success
    await run_jobs(jobs)
    (email,) = await captured(actor, to=contact["email"])
    assert "Zoë" in email["from"]


async def test_a_from_email_no_from_header_can_carry_is_a_400_not_a_failed_send(
    app: FastAPI,
) -> None:
    """A valid address with a non-ASCII local part needs SMTPUTF8: the email library refuses
    it in a From header, which made every preview a 500 and every send fail."""
    await _refused_on_create_and_update(await signup(app), "fromEmail", "zoë@example.com")


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
async def test_a_schedule_outside_the_utc_calendar_is_a_400_not_a_500(
    app: FastAPI, when: str
) -> None:
    await _refused_on_create_and_update(await signup(app), "scheduledAt", when)


async def test_a_paused_campaign_whose_filter_no_longer_parses_can_still_have_its_content_fixed(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    field = await actor.client.post(
        "/api/fields", json={"name": "seats", "label": "Seats", "fieldType": "number"}
    )
    assert field.status_code == 201, field.text
    contact = await make_contact(actor, customFields={"seats": 5})
    above_three = {"field": "customFields.seats", "operator": "gt", "value": 3}
    seats = {"match": "all", "conditions": [above_three]}
    campaign = await create(actor, filter=seats)
    base = f"/api/campaigns/{campaign['id']}"
    assert (await actor.client.post(f"{base}/send")).json()["recipients"] == 1
    assert (await actor.client.post(f"{base}/pause")).json()["status"] == "PAUSED"
    # Deleted, the field reads as text, where `gt` is no operator: the filter no longer parses.
    assert (await actor.client.delete(f"/api/fields/{field.json()['id']}")).is_success
    edited = await actor.client.put(base, json={"subject": "Fixed typo", "filter": seats})
    assert edited.status_code == 200, edited.text
    assert (await actor.client.post(f"{base}/resume")).json()["status"] == "SENDING"
    await run_jobs(jobs)
    (email,) = await captured(actor, to=contact["email"])
    assert email["subject"] == "Fixed typo"


@pytest.mark.parametrize("params", [{"type": "EMIAL"}, {"type": "whatsap", "status": "SENT"}])
async def test_a_misspelt_list_filter_is_a_400_not_an_empty_list(
    app: FastAPI, params: dict[str, str]
) -> None:
    actor = await signup(app)
    await create(actor, type="SMS", body="Hi")
    refused = await actor.client.get("/api/campaigns", params=params)
    assert refused.status_code == 400, refused.text
    assert refused.json()["details"][0]["field"] in params
    listed = await actor.client.get("/api/campaigns", params={"type": "sms", "status": "draft"})
    assert [campaign["type"] for campaign in listed.json()["campaigns"]] == ["SMS"]


async def test_body_enums_take_any_case_and_are_stored_in_their_canonical_spelling(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    campaign = await create(actor, type="sms", body="Hi", targetTagsMatch="ALL")
    assert (campaign["type"], campaign["targetTagsMatch"]) == ("SMS", "all")
    base = f"/api/campaigns/{campaign['id']}"
    updated = await actor.client.put(base, json={"type": "WhatsApp", "targetTagsMatch": "Any"})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["type"], updated.json()["targetTagsMatch"]) == ("WHATSAPP", "any")
    listed = await actor.client.get("/api/campaigns", params={"type": "WHATSAPP"})
    assert [found["id"] for found in listed.json()["campaigns"]] == [campaign["id"]]


@pytest.mark.parametrize(("field", "value"), [("type", "fax"), ("targetTagsMatch", "most")])
async def test_an_unknown_body_enum_value_is_still_a_400_naming_the_field(
    app: FastAPI, field: str, value: str
) -> None:
    await _refused_on_create_and_update(await signup(app), field, value)


async def test_an_unpaired_surrogate_in_the_audience_filter_is_a_400_not_a_500(
    app: FastAPI,
) -> None:
    """JSON can escape half a surrogate pair ("\\ud800"), which no UTF-8 text can hold: in the
    free-form filter it was stored, then every answer reading it back failed."""
    actor = await signup(app)
    condition = b'{"field": "firstName", "operator": "eq", "value": "\\ud800"}'
    body = b'{"name": "x", "body": "Hi", "filter": {"match": "all", "conditions": [%s]}}'
    refused = await actor.client.post(
        "/api/campaigns", content=body % condition, headers={"content-type": "application/json"}
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["details"][0]["field"] == "filter.conditions.0.value"
    assert (await actor.client.get("/api/campaigns")).json()["campaigns"] == []
