"""A preview's signed links: they work (a click goes where it says) but never feed the campaign's
figures, even for a contact who received the campaign itself; and its unsubscribe link, sent to
an address that is no contact, answers a page saying nothing was changed."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.campaigns.helpers import captured, create, make_contact, send_campaign, signed_link
from tests.factories import Actor, signup

ONE_CLICK = {"List-Unsubscribe": "One-Click"}  # RFC 8058's POST body


async def _preview_html(actor: Actor, campaign_id: str, email: str) -> str:
    """The HTML of a new preview of the campaign sent to `email`."""
    before = {sent["id"] for sent in await captured(actor, to=email)}
    response = await actor.client.post(
        f"/api/campaigns/{campaign_id}/preview", json={"email": email}
    )
    assert response.status_code == 200, response.text
    (new,) = [sent for sent in await captured(actor, to=email) if sent["id"] not in before]
    html: str = new["html"]
    return html


async def _sent_to_one_contact(actor: Actor, jobs: JobRuntime) -> tuple[dict[str, Any], str]:
    """A contact, and the id of a campaign sent to them."""
    contact = await make_contact(actor, tags=["got-it"])
    campaign = await create(actor, targetTags=["got-it"])
    await send_campaign(actor, jobs, campaign["id"])
    return contact, campaign["id"]


async def _recipient_row(actor: Actor, campaign_id: str) -> dict[str, Any]:
    (row,) = (await actor.client.get(f"/api/campaigns/{campaign_id}/emails")).json()
    assert row["status"] == "SENT"
    return dict(row)


async def test_opening_and_clicking_a_preview_do_not_count_for_a_contact_who_got_the_campaign(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact, campaign_id = await _sent_to_one_contact(actor, jobs)
    html = await _preview_html(actor, campaign_id, contact["email"])
    clicked = await actor.client.get(signed_link(html, "/api/campaigns/click/"))
    assert (clicked.status_code, clicked.headers["location"]) == (
        302,
        "https://example.com/a?x=1&y=2",
    )
    assert (await actor.client.get(signed_link(html, "/api/campaigns/open/"))).status_code == 200
    stored = (await actor.client.get(f"/api/campaigns/{campaign_id}")).json()
    assert (stored["openRate"], stored["clickRate"]) == (0, 0)
    assert (stored["openCount"], stored["clickCount"]) == (0, 0)
    row = await _recipient_row(actor, campaign_id)
    assert (row["openedAt"], row["clickedAt"]) == (None, None)


async def test_unsubscribing_through_a_preview_opts_the_contact_out_without_counting(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    contact, campaign_id = await _sent_to_one_contact(actor, jobs)
    html = await _preview_html(actor, campaign_id, contact["email"])
    unsubscribed = await actor.client.post(signed_link(html, "/api/campaigns/unsubscribe"))
    assert unsubscribed.status_code == 200, unsubscribed.text
    stored = (await actor.client.get(f"/api/campaigns/{campaign_id}")).json()
    assert stored["unsubscribeCount"] == 0
    assert (await _recipient_row(actor, campaign_id))["unsubscribedAt"] is None
    again = await actor.client.post(
        f"/api/campaigns/{campaign_id}/preview", json={"email": contact["email"]}
    )
    assert again.status_code == 400  # the contact did ask: email to them is off


async def test_unsubscribing_from_a_preview_to_an_address_that_is_no_contact_changes_nothing(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    campaign = await create(actor)
    html = await _preview_html(actor, campaign["id"], "colleague@example.com")
    link = signed_link(html, "/api/campaigns/unsubscribe")
    page = await actor.client.get(link)
    assert page.status_code == 200
    # The address becomes a contact since: the preview's link still opts nobody out.
    contact = await make_contact(actor, email="colleague@example.com")
    pressed = await actor.client.post(link)
    assert pressed.status_code == 200, pressed.text
    assert pressed.headers["content-type"].startswith("text/html")
    assert "nothing was changed" in pressed.text.lower()
    one_click = await actor.client.post(link, data=ONE_CLICK)
    assert one_click.status_code == 200, one_click.text
    stored = (await actor.client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert stored["unsubscribeCount"] == 0
    assert (await _preview_html(actor, campaign["id"], contact["email"])).startswith("<")
    assert "preview" in page.text.lower()  # the page said so before the button was pressed
