"""A campaign's messages on their contacts' timelines: read from the messages (no timeline row
is written per recipient), paged and counted with the timeline's own entries, and kept."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import create, make_contact, send_campaign
from tests.factories import Actor, signup


async def _note(actor: Actor, contact: dict[str, Any], subject: str) -> None:
    body = {"type": "note", "subject": subject, "metadata": {}}
    added = await actor.client.post(f"/api/contacts/{contact['id']}/interactions", json=body)
    assert added.status_code == 201, added.text


async def _timeline(actor: Actor, contact: dict[str, Any], **params: int) -> dict[str, Any]:
    listed = await actor.client.get(f"/api/contacts/{contact['id']}/interactions", params=params)
    assert listed.status_code == 200, listed.text
    page: dict[str, Any] = listed.json()
    return page


async def test_a_campaign_message_is_on_the_timeline_between_the_entries_around_it(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["news"], firstName="Ana")
    await _note(actor, contact, "Before")
    campaign = await create(
        actor, targetTags=["news"], subject="Hi {{contact.firstName}}", body="<p>News</p>"
    )
    await send_campaign(actor, jobs, campaign["id"])
    await _note(actor, contact, "After")
    page = await _timeline(actor, contact)
    assert page["total"] == 3
    assert [entry["subject"] for entry in page["interactions"]] == ["After", "Hi Ana", "Before"]
    sent = page["interactions"][1]
    assert (sent["type"], sent["contactId"], sent["userId"]) == ("email_sent", contact["id"], None)
    assert sent["body"].startswith("News")
    assert sent["metadata"] == {"messageId": sent["id"], "campaignId": campaign["id"]}


async def test_the_timeline_pages_through_campaign_messages_and_its_own_entries_alike(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["paged"])
    for name in ("First", "Second"):
        campaign = await create(actor, targetTags=["paged"], name=name, subject=name)
        await send_campaign(actor, jobs, campaign["id"])
        await _note(actor, contact, f"After {name}")
    pages = [await _timeline(actor, contact, page=n, pageSize=3) for n in (1, 2)]
    assert [page["total"] for page in pages] == [4, 4]
    subjects = [entry["subject"] for page in pages for entry in page["interactions"]]
    assert subjects == ["After Second", "Second", "After First", "First"]


async def test_a_campaign_message_cannot_be_deleted_from_the_timeline(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, tags=["kept"])
    campaign = await create(actor, targetTags=["kept"])
    await send_campaign(actor, jobs, campaign["id"])
    (sent,) = (await _timeline(actor, contact))["interactions"]
    deleted = await actor.client.delete(f"/api/interactions/{sent['id']}")
    assert deleted.status_code == 404
    assert (await _timeline(actor, contact))["total"] == 1


async def test_a_message_the_gate_refused_is_not_on_the_timeline(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    banned = await make_contact(actor, tags=["refused"])
    response = await actor.client.post("/api/auth/banned", json={"email": banned["email"]})
    assert response.status_code == 200
    campaign = await create(actor, targetTags=["refused"])
    await send_campaign(actor, jobs, campaign["id"])
    page = await _timeline(actor, banned)
    assert (page["total"], page["interactions"]) == (0, [])


async def test_another_contacts_campaign_message_is_not_on_the_timeline(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    await make_contact(actor, tags=["one"])
    other = await make_contact(actor, tags=["two"])
    campaign = await create(actor, targetTags=["one"])
    await send_campaign(actor, jobs, campaign["id"])
    assert (await _timeline(actor, other))["total"] == 0
