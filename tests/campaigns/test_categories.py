"""Email categories (categoryId) belong to email campaigns: refused on SMS and WhatsApp, and
their opt-outs apply to email sends only."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI

from kindred.campaigns.models import Campaign
from kindred.campaigns.sending import category_key
from kindred.core.db.session import Database
from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import captured, create, make_contact, send_campaign
from tests.factories import Actor, signup

NEWS = "0195a000-0000-7000-8000-000000000002"


def _refused_for_category(response_status: int, body: dict[str, object]) -> bool:
    details = body.get("details")
    fields = [item.get("field") for item in details] if isinstance(details, list) else []
    return (
        response_status == 400
        and body.get("code") == "VALIDATION_ERROR"
        and (fields == ["categoryId"])
    )


@pytest.mark.parametrize("kind", ["SMS", "WHATSAPP"])
async def test_a_category_on_a_text_campaign_is_a_400_naming_the_field(
    app: FastAPI, kind: str
) -> None:
    actor = await signup(app)
    body = {"name": "Texts", "type": kind, "body": "Sale on", "categoryId": NEWS}
    response = await actor.client.post("/api/campaigns", json=body)
    assert _refused_for_category(response.status_code, response.json()), response.text
    assert (await actor.client.get("/api/campaigns")).json()["campaigns"] == []


async def _put(actor: Actor, campaign_id: str, **fields: object) -> tuple[int, dict[str, object]]:
    response = await actor.client.put(f"/api/campaigns/{campaign_id}", json=fields)
    return response.status_code, response.json()


async def test_an_update_giving_a_text_campaign_a_category_is_a_400(app: FastAPI) -> None:
    actor = await signup(app)
    campaign = await create(actor, type="SMS", body="Sale on")
    assert _refused_for_category(*await _put(actor, campaign["id"], categoryId=NEWS))
    stored = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert stored["categoryId"] is None


async def test_changing_the_type_of_a_categorised_email_campaign_needs_the_category_gone(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    campaign = await create(actor, categoryId=NEWS)
    assert _refused_for_category(*await _put(actor, campaign["id"], type="WHATSAPP", body="Hi"))
    stored = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (stored["type"], stored["categoryId"]) == ("EMAIL", NEWS)
    status, changed = await _put(actor, campaign["id"], type="SMS", body="Hi", categoryId=None)
    assert status == 200, changed
    assert (changed["type"], changed["categoryId"]) == ("SMS", None)


async def test_a_text_campaign_saved_with_a_category_ignores_that_categorys_opt_outs(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    """A category stored on an SMS campaign before the API refused it: the contact opted out
    of that category's emails, not of texts, and gets the SMS."""
    actor = await signup(app)
    preferences = {category_key(uuid.UUID(NEWS)): False}
    contact = await make_contact(actor, tags=["txt"], communicationPreferences=preferences)
    campaign = await create(actor, type="SMS", body="Sale on", targetTags=["txt"])
    async with database.session_scope() as session:
        stored = await session.get(Campaign, uuid.UUID(campaign["id"]))
        assert stored is not None
        stored.category_id = uuid.UUID(NEWS)
    await send_campaign(actor, jobs, campaign["id"])
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["sentCount"], done["skippedCount"]) == (1, 0)
    assert len(await captured(actor, to=contact["phone"])) == 1


async def test_a_text_campaign_saved_with_a_category_before_the_rule_can_still_be_renamed(
    app: FastAPI, database: Database
) -> None:
    actor = await signup(app)
    campaign = await create(actor, type="SMS", body="Sale on")
    async with database.session_scope() as session:
        stored = await session.get(Campaign, uuid.UUID(campaign["id"]))
        assert stored is not None
        stored.category_id = uuid.UUID(NEWS)  # as the API allowed before
    status, renamed = await _put(actor, campaign["id"], name="Spring texts")
    assert status == 200, renamed
    assert (renamed["name"], renamed["categoryId"]) == ("Spring texts", NEWS)
