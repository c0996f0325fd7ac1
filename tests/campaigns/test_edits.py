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
