"""Campaign CRUD, sending through the gate, scheduling, unsubscribe and tracking."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from kindred.campaigns import sending
from kindred.campaigns.models import Campaign, CampaignRecipient
from kindred.campaigns.service import CANCELLED
from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import (
    captured,
    create,
    make_contact,
    run_jobs,
    send_campaign,
    signed_link,
)
from tests.factories import signup


async def test_create_is_draft_without_schedule_and_scheduled_with_one(app: FastAPI) -> None:
    actor = await signup(app)
    assert (await create(actor))["status"] == "DRAFT"
    later = (utcnow() + timedelta(days=1)).isoformat()
    assert (await create(actor, scheduledAt=later))["status"] == "SCHEDULED"


async def test_broken_template_is_a_400_and_stores_nothing(app: FastAPI) -> None:
    actor = await signup(app)
    response = await actor.client.post(
        "/api/campaigns", json={"name": "x", "body": "{{ contact.firstName ", "subject": "s"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_TEMPLATE"
    assert (await actor.client.get("/api/campaigns")).json()["campaigns"] == []


async def test_a_misspelt_audience_filter_is_a_400_not_the_whole_workspace(app: FastAPI) -> None:
    actor = await signup(app)
    typo = {"match": "all", "conditons": [{"field": "tags", "operator": "has", "value": "vip"}]}
    response = await actor.client.post(
        "/api/campaigns", json={"name": "x", "body": "Hi", "subject": "s", "filter": typo}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_FILTER"
    assert (await actor.client.get("/api/campaigns")).json()["campaigns"] == []


async def test_list_filters_by_type_and_status(app: FastAPI) -> None:
    actor = await signup(app)
    await create(actor, type="SMS", body="Hi")
    await create(actor)
    listed = await actor.client.get("/api/campaigns", params={"type": "SMS", "status": "DRAFT"})
    assert [c["type"] for c in listed.json()["campaigns"]] == ["SMS"]


async def test_the_recipients_status_filter_takes_any_case_as_the_campaign_list_does(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["case"])
    campaign = await create(actor, targetTags=["case"])
    await send_campaign(actor, jobs, campaign["id"])
    emails = f"/api/campaigns/{campaign['id']}/emails"
    for status in ("sent", "Sent", "SENT"):
        listed = await actor.client.get(emails, params={"status": status})
        assert listed.status_code == 200, listed.text
        assert [row["contactId"] for row in listed.json()] == [contact["id"]]
    assert (await actor.client.get(emails, params={"status": "failed"})).json() == []
    misspelt = await actor.client.get(emails, params={"status": "snet"})
    assert misspelt.status_code == 400, misspelt.text


async def test_viewer_reads_but_cannot_write(app: FastAPI) -> None:
    actor = await signup(app)
    campaign = await create(actor)
    viewer = await actor.add_member("viewer")
    assert (await viewer.client.get(f"/api/campaigns/{campaign['id']}")).status_code == 200
    refused = await viewer.client.post(f"/api/campaigns/{campaign['id']}/send")
    assert refused.status_code == 403


async def test_send_reaches_each_tagged_contact_once_and_skips_refused_ones(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    good = await make_contact(actor, firstName="Ada", tags=["VIP"])
    gone = await make_contact(actor, tags=["VIP"], globallyUnsubscribed=True)
    await make_contact(actor, tags=["VIP"], email=None)
    await make_contact(actor, tags=["Other"])
    campaign = await create(actor, targetTags=["VIP"])
    queued = await send_campaign(actor, jobs, campaign["id"])
    assert queued | {"recipients": 3} == queued
    assert queued["message"] == "Campaign queued for sending."
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["status"], done["sentCount"], done["skippedCount"]) == ("SENT", 1, 2)
    emails = await captured(actor, to=good["email"])
    assert len(emails) == 1
    assert emails[0]["subject"] == "Hi Ada"
    rows = (await actor.client.get(f"/api/campaigns/{campaign['id']}/emails")).json()
    reasons = {row["contactId"]: row["reason"] for row in rows if row["status"] == "SKIPPED"}
    assert "RECIPIENT_UNSUBSCRIBED" in reasons[gone["id"]]
    assert any("NO_ADDRESS" in reason for reason in reasons.values())


async def test_a_sent_campaign_cannot_be_sent_again(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    campaign = await create(actor)
    await send_campaign(actor, jobs, campaign["id"])
    again = await actor.client.post(f"/api/campaigns/{campaign['id']}/send")
    assert again.status_code == 400


async def test_a_crash_between_provider_and_ledger_still_sends_exactly_once(
    app: FastAPI, jobs: JobRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = await signup(app)
    contacts = [await make_contact(actor, tags=["crash"]) for _ in range(5)]
    campaign = await create(actor, targetTags=["crash"])
    real, calls = sending.record_outcomes, {"n": 0}

    async def crashing(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the batch's messages and captures are written, its rows not yet
            raise RuntimeError("worker killed")
        await real(*args)

    monkeypatch.setattr(sending, "SEND_BATCH", 2)
    monkeypatch.setattr(sending, "record_outcomes", crashing)
    await send_campaign(actor, jobs, campaign["id"])
    await run_jobs(jobs, later=2)  # the crashed batch's retry, past its backoff
    assert calls["n"] > 2
    for contact in contacts:
        assert len(await captured(actor, to=contact["email"])) == 1
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["status"], done["sentCount"]) == ("SENT", 5)


async def test_scheduled_campaign_starts_on_the_tick_after_its_time(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["sched"])
    soon = utcnow() + timedelta(seconds=30)
    campaign = await create(actor, targetTags=["sched"], scheduledAt=soon.isoformat())
    await jobs.tick(now=utcnow())
    assert (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()[
        "status"
    ] == "SCHEDULED"
    await jobs.tick(now=soon + timedelta(seconds=1))
    await run_jobs(jobs)
    assert (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()["status"] == "SENT"
    assert len(await captured(actor, to=contact["email"])) == 1


async def test_sms_gets_the_opt_out_line_once(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    first = await make_contact(actor, tags=["sms"])
    campaign = await create(
        actor, type="SMS", body="Sale {{contact.firstName}}", targetTags=["sms"]
    )
    await send_campaign(actor, jobs, campaign["id"])
    sms = await captured(actor, to=first["phone"])
    assert sms[0]["text"] == "Sale Alice\n\nReply STOP to opt out"


async def test_unsubscribe_link_opts_out_and_the_next_campaign_skips(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["u"])
    campaign = await create(actor, targetTags=["u"])
    await send_campaign(actor, jobs, campaign["id"])
    email = (await captured(actor, to=contact["email"]))[0]
    link = signed_link(email["html"], "/api/campaigns/unsubscribe")
    page = await actor.client.get(link)
    assert page.status_code == 200
    assert "<form" in page.text
    assert (await actor.client.post(link)).status_code == 200
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert done["unsubscribeCount"] == 1
    second = await create(actor, targetTags=["u"])
    await send_campaign(actor, jobs, second["id"])
    assert len(await captured(actor, to=contact["email"])) == 1


async def test_category_unsubscribe_skips_only_that_category(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["c"])
    news = "0195a000-0000-7000-8000-000000000001"
    first = await create(actor, targetTags=["c"], categoryId=news)
    await send_campaign(actor, jobs, first["id"])
    email = (await captured(actor, to=contact["email"]))[0]
    await actor.client.post(signed_link(email["html"], "/api/campaigns/unsubscribe"))
    again = await create(actor, targetTags=["c"], categoryId=news)
    other = await create(actor, targetTags=["c"])
    await send_campaign(actor, jobs, again["id"])
    await send_campaign(actor, jobs, other["id"])
    assert (await actor.client.get(f"/api/campaigns/{again['id']}")).json()["skippedCount"] == 1
    assert (await actor.client.get(f"/api/campaigns/{other['id']}")).json()["sentCount"] == 1


async def test_open_pixel_and_signed_click_feed_the_rates(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["t"])
    campaign = await create(actor, targetTags=["t"])
    await send_campaign(actor, jobs, campaign["id"])
    html = (await captured(actor, to=contact["email"]))[0]["html"]
    click = signed_link(html, "/api/campaigns/click/")
    followed = await actor.client.get(click)
    assert followed.status_code == 302
    assert followed.headers["location"] == "https://example.com/a?x=1&y=2"
    assert (await actor.client.get(signed_link(html, "/api/campaigns/open/"))).status_code == 200
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["openRate"], done["clickRate"]) == (100, 100)


async def test_click_redirect_refuses_a_url_that_was_not_signed(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["r"])
    campaign = await create(actor, targetTags=["r"])
    await send_campaign(actor, jobs, campaign["id"])
    click = signed_link(
        (await captured(actor, to=contact["email"]))[0]["html"], "/api/campaigns/click/"
    )
    parts = urlparse(click)
    assert parse_qs(parts.query)["url"] == ["https://example.com/a?x=1&y=2"]
    evil = await actor.client.get(parts.path, params={"url": "https://evil.example"})
    assert evil.status_code == 404


async def test_pause_then_resume_then_cancel_moves_status(app: FastAPI) -> None:
    actor = await signup(app)
    campaign = await create(actor)
    base = f"/api/campaigns/{campaign['id']}"
    assert (await actor.client.post(f"{base}/pause")).status_code == 400
    await actor.client.post(f"{base}/send")
    assert (await actor.client.post(f"{base}/pause")).json()["status"] == "PAUSED"
    assert (await actor.client.post(f"{base}/resume")).json()["status"] == "SENDING"
    assert (await actor.client.post(f"{base}/cancel")).json()["status"] == "CANCELLED"


async def test_a_refused_status_move_names_the_action_asked_for(app: FastAPI) -> None:
    actor = await signup(app)
    later = (utcnow() + timedelta(days=1)).isoformat()
    base = f"/api/campaigns/{(await create(actor, scheduledAt=later))['id']}"
    assert (await actor.client.post(f"{base}/pause")).status_code == 200  # never sent
    await actor.client.put(base, json={"scheduledAt": None})
    expected = {
        "send": "A PAUSED campaign cannot be sent",
        "pause": "A PAUSED campaign cannot be paused",
    }
    for action, message in expected.items():
        refused = await actor.client.post(f"{base}/{action}")
        assert (refused.status_code, refused.json()["error"]) == (400, message)
    assert (await actor.client.post(f"{base}/resume")).json()["status"] == "DRAFT"
    refused = await actor.client.post(f"{base}/resume")
    assert refused.json()["error"] == "A DRAFT campaign cannot be resumed"


async def test_cancelling_mid_send_skips_the_recipients_not_yet_sent(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    for _ in range(3):
        await make_contact(actor, tags=["vip"])
    campaign = await create(actor, targetTags=["vip"])
    base = f"/api/campaigns/{campaign['id']}"
    assert (await actor.client.post(f"{base}/send")).json()["recipients"] == 3
    cancelled = (await actor.client.post(f"{base}/cancel")).json()
    await run_jobs(jobs)
    assert (cancelled["status"], cancelled["skippedCount"], cancelled["sentCount"]) == (
        "CANCELLED", 3, 0,
    )  # fmt: skip
    rows = (await actor.client.get(f"{base}/emails")).json()
    assert {(row["status"], row["reason"]) for row in rows} == {("SKIPPED", CANCELLED)}
    assert (await actor.client.get(f"{base}")).json()["skippedCount"] == 3


async def test_a_paused_campaign_keeps_its_type_and_audience_but_not_its_content(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    campaign = await create(actor, targetTags=["vip"])
    base = f"/api/campaigns/{campaign['id']}"
    await actor.client.post(f"{base}/send")
    await actor.client.post(f"{base}/pause")
    for change in ({"type": "SMS"}, {"targetTags": ["everyone"]}, {"filter": {"match": "any"}}):
        refused = await actor.client.put(base, json=change)
        assert refused.status_code == 400, change
        assert refused.json()["code"] == "CAMPAIGN_STATE"
    edited = await actor.client.put(base, json={"subject": "Fixed typo", "targetTags": ["vip"]})
    assert edited.status_code == 200, edited.text
    stored = (await actor.client.get(base)).json()
    assert (stored["type"], stored["targetTags"], stored["subject"]) == (
        "EMAIL", ["vip"], "Fixed typo",
    )  # fmt: skip


async def test_preview_sends_one_email_to_the_contact(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    campaign = await create(actor)
    sent = await actor.client.post(
        f"/api/campaigns/{campaign['id']}/preview", json={"email": contact["email"]}
    )
    assert sent.status_code == 200, sent.text
    assert len(await captured(actor, to=contact["email"])) == 1


async def test_preview_to_an_address_that_is_no_contact_sends_it_with_the_defaults(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    campaign = await create(actor)
    base = f"/api/campaigns/{campaign['id']}"
    sent = await actor.client.post(f"{base}/preview", json={"email": "Me@Example.com"})
    assert sent.json()["success"] is True
    (email,) = await captured(actor, to="me@example.com", campaignId=campaign["id"])
    assert email["subject"] == "Hi there"
    clicked = await actor.client.get(signed_link(email["html"], "/api/campaigns/click/"))
    assert clicked.headers["location"] == "https://example.com/a?x=1&y=2"
    assert (await actor.client.get("/api/contacts")).json()["total"] == 0  # no record made
    assert (await actor.client.get(base)).json()["clickCount"] == 0


async def test_preview_to_a_banned_address_is_refused(app: FastAPI) -> None:
    actor = await signup(app)
    campaign = await create(actor)
    banned = await actor.client.post("/api/auth/banned", json={"email": "spam@example.com"})
    assert banned.is_success, banned.text
    refused = await actor.client.post(
        f"/api/campaigns/{campaign['id']}/preview", json={"email": "spam@example.com"}
    )
    assert refused.status_code == 400
    assert await captured(actor, to="spam@example.com") == []


async def test_a_previews_links_work_and_count_nowhere(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    campaign = await create(actor)
    base = f"/api/campaigns/{campaign['id']}"
    assert (await actor.client.post(f"{base}/preview", json={"email": contact["email"]})).is_success
    html = (await captured(actor, to=contact["email"]))[0]["html"]
    clicked = await actor.client.get(signed_link(html, "/api/campaigns/click/"))
    assert (clicked.status_code, clicked.headers["location"]) == (
        302,
        "https://example.com/a?x=1&y=2",
    )
    assert (await actor.client.get(signed_link(html, "/api/campaigns/open/"))).status_code == 200
    unsubscribe = signed_link(html, "/api/campaigns/unsubscribe")
    assert (await actor.client.post(unsubscribe)).status_code == 200
    stored = (await actor.client.get(base)).json()
    assert (stored["openCount"], stored["clickCount"], stored["unsubscribeCount"]) == (0, 0, 0)
    again = await actor.client.post(f"{base}/preview", json={"email": contact["email"]})
    assert again.status_code == 400  # the contact opted out of email through the preview


async def test_a_deleted_campaign_is_gone_but_the_links_it_sent_still_work(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["later"])
    campaign = await create(actor, targetTags=["later"])
    await send_campaign(actor, jobs, campaign["id"])
    html = (await captured(actor, to=contact["email"]))[0]["html"]
    base = f"/api/campaigns/{campaign['id']}"
    assert (await actor.client.delete(base)).json()["success"] is True
    assert (await actor.client.get(base)).status_code == 404
    assert (await actor.client.get("/api/campaigns")).json()["campaigns"] == []
    clicked = await actor.client.get(signed_link(html, "/api/campaigns/click/"))
    assert clicked.headers["location"] == "https://example.com/a?x=1&y=2"
    assert (
        await actor.client.post(signed_link(html, "/api/campaigns/unsubscribe"))
    ).status_code == 200
    later = await create(actor, targetTags=["later"])
    await send_campaign(actor, jobs, later["id"])
    assert len(await captured(actor, to=contact["email"])) == 1  # opted out: nothing new


async def test_a_draft_is_deleted_outright(app: FastAPI, database: Database) -> None:
    actor = await signup(app)
    campaign = await create(actor)
    assert (await actor.client.delete(f"/api/campaigns/{campaign['id']}")).is_success
    async with database.session_scope() as session:
        assert await session.get(Campaign, uuid.UUID(campaign["id"])) is None


async def test_deleting_a_paused_campaign_that_started_cancels_it_like_cancel_does(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    actor = await signup(app)
    for _ in range(2):
        await make_contact(actor, tags=["held"])
    campaign = await create(actor, targetTags=["held"])
    base = f"/api/campaigns/{campaign['id']}"
    assert (await actor.client.post(f"{base}/send")).json()["recipients"] == 2
    assert (await actor.client.post(f"{base}/pause")).json()["status"] == "PAUSED"
    assert (await actor.client.delete(base)).json()["success"] is True
    await run_jobs(jobs)
    assert (await actor.client.get(base)).status_code == 404
    async with database.session_scope() as session:
        stored = await session.get(Campaign, uuid.UUID(campaign["id"]))
        assert stored is not None
        assert (stored.status, stored.skipped_count, stored.sent_count) == ("CANCELLED", 2, 0)
        assert stored.completed_at is not None
        assert stored.deleted_at is not None
        rows = await session.scalars(
            select(CampaignRecipient).where(CampaignRecipient.campaign_id == stored.id)
        )
        assert {(row.status, row.reason) for row in rows} == {("SKIPPED", CANCELLED)}
    assert await captured(actor, campaignId=campaign["id"]) == []


async def test_overview_counts_campaigns_sent_in_its_window(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["o"])
    sent = await create(actor, targetTags=["o"])
    await send_campaign(actor, jobs, sent["id"])
    await create(actor, targetTags=["o"])  # a draft does not count
    day = utcnow().date()

    async def campaigns_sent(start: object, end: object) -> int:
        path = f"/api/analytics/overview?startDate={start}&endDate={end}"
        count: int = (await actor.client.get(path)).json()["metrics"]["campaignsSent"]
        return count

    assert await campaigns_sent(day, day) == 1
    yesterday = day - timedelta(days=1)
    assert await campaigns_sent(yesterday - timedelta(days=6), yesterday) == 0


@pytest.mark.parametrize(
    "field",
    ["name", "type", "body", "message", "targetTags", "targetTagsMatch", "allowNoUnsubscribe"],
)
async def test_update_with_null_for_a_required_field_is_a_400_that_changes_nothing(
    app: FastAPI, field: str
) -> None:
    actor = await signup(app)
    campaign = await create(actor)
    response = await actor.client.put(f"/api/campaigns/{campaign['id']}", json={field: None})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "VALIDATION_ERROR"
    stored = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert stored == campaign
