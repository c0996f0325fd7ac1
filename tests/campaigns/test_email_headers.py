"""A campaign email's RFC 8058 one-click unsubscribe headers and sender, and the delivery
events that feed deliveredCount (sandbox provider, with a public base URL)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from kindred.settings import Settings
from tests.campaigns.helpers import captured, create, make_contact, run_jobs, send_campaign
from tests.databases import DatabaseFactory
from tests.factories import Actor, signup
from tests.messaging.helpers import settings_with

BASE = "https://crm.example.test"


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return await settings_with(databases, tmp_path_factory, public_base_url=BASE)


async def _sent_email(actor: Actor, jobs: JobRuntime, **fields: Any) -> dict[str, Any]:
    contact = await make_contact(actor, tags=["news"])
    campaign = await create(actor, targetTags=["news"], **fields)
    await send_campaign(actor, jobs, campaign["id"])
    [listed] = await captured(actor, to=contact["email"])
    response = await actor.client.get(f"/api/sandbox/emails/{listed['id']}")
    assert response.status_code == 200, response.text
    email: dict[str, Any] = response.json()
    return email


async def test_campaign_email_has_one_click_unsubscribe_headers_and_its_sender(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    email = await _sent_email(actor, jobs, fromName="Ada, News", fromEmail="news@example.com")
    assert email["from"] == '"Ada, News" <news@example.com>'
    assert email["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = email["headers"]["List-Unsubscribe"].strip("<>")
    assert url.startswith(f"{BASE}/api/campaigns/unsubscribe?token=")
    one_click = urlparse(url)
    response = await actor.client.post(f"{one_click.path}?{one_click.query}")
    assert response.status_code == 200


async def test_sender_name_alone_uses_the_configured_address(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    email = await _sent_email(actor, jobs, fromName="Team")
    assert email["from"] == "Team <no-reply@localhost>"  # Settings.email_from's address


async def test_allow_no_unsubscribe_sends_no_list_unsubscribe_headers(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    email = await _sent_email(actor, jobs, allowNoUnsubscribe=True)
    assert "List-Unsubscribe" not in email["headers"]
    assert "List-Unsubscribe-Post" not in email["headers"]
    assert email["from"] is None


async def _simulate(actor: Actor, email_id: str, event: str) -> None:
    body = {"event": event}
    response = await actor.client.post(f"/api/sandbox/emails/{email_id}/simulate", json=body)
    assert response.status_code == 200, response.text


async def test_delivery_events_count_each_delivered_recipient_once(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contacts = [await make_contact(actor, tags=["d"]) for _ in range(3)]
    campaign = await create(actor, targetTags=["d"])
    await send_campaign(actor, jobs, campaign["id"])
    first, second = [(await captured(actor, to=c["email"]))[0]["id"] for c in contacts[:2]]
    for email_id, event in ((first, "delivered"), (first, "opened"), (second, "delivered")):
        await _simulate(actor, email_id, event)
    await run_jobs(jobs)
    done = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert (done["sentCount"], done["deliveredCount"]) == (3, 2)


async def test_emails_lists_one_status_on_request_and_shows_when_each_was_delivered(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    reached = await make_contact(actor, tags=["e"])
    await make_contact(actor, tags=["e"], globallyUnsubscribed=True)
    campaign = await create(actor, targetTags=["e"])
    await send_campaign(actor, jobs, campaign["id"])
    await _simulate(actor, (await captured(actor, to=reached["email"]))[0]["id"], "delivered")
    await run_jobs(jobs)
    emails = f"/api/campaigns/{campaign['id']}/emails"
    [sent] = (await actor.client.get(emails, params={"status": "SENT"})).json()
    assert (sent["contactId"], sent["status"]) == (reached["id"], "SENT")
    assert sent["deliveredAt"] is not None
    [skipped] = (await actor.client.get(emails, params={"status": "SKIPPED"})).json()
    assert skipped["deliveredAt"] is None
    refused = await actor.client.get(emails, params={"status": "OPENED"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "VALIDATION_ERROR"


async def test_emails_is_a_bare_array_with_the_total_over_all_pages_in_a_header(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    for _ in range(3):
        await make_contact(actor, tags=["paged"])
    await make_contact(actor, tags=["paged"], globallyUnsubscribed=True)
    campaign = await create(actor, targetTags=["paged"])
    await send_campaign(actor, jobs, campaign["id"])
    emails = f"/api/campaigns/{campaign['id']}/emails"
    pages = [await actor.client.get(emails, params={"limit": 3, "page": n}) for n in (1, 2)]
    assert [len(page.json()) for page in pages] == [3, 1]
    assert [page.headers["X-Total-Count"] for page in pages] == ["4", "4"]
    sent = await actor.client.get(emails, params={"status": "SENT", "limit": 1})
    assert (len(sent.json()), sent.headers["X-Total-Count"]) == (1, "3")
