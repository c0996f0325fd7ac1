"""Document 002's sandbox examples: status, listing with filters, one email, simulate one
and in bulk, clear (optionally one campaign's)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.conftest import client_for
from tests.factories import Actor, signup, unique_email


async def _email_someone(owner: Actor, address: str) -> None:
    contact = await owner.client.post("/api/contacts", json={"firstName": "Ada", "email": address})
    sent = await owner.client.post(
        "/api/messages",
        json={
            "contactId": contact.json()["id"],
            "channel": "EMAIL",
            "subject": "Welcome",
            "content": "Hello",
            "html": "<p>Hello</p>",
        },
    )
    assert sent.status_code == 200, sent.text


async def _list(owner: Actor, **params: Any) -> dict[str, Any]:
    response = await owner.client.get("/api/sandbox/emails", params=params)
    assert response.status_code == 200, response.text
    listed: dict[str, Any] = response.json()
    return listed


async def test_status_needs_no_auth(app: FastAPI) -> None:
    async with client_for(app) as anonymous:
        assert (await anonymous.get("/api/sandbox/status")).json() == {"mode": "sandbox"}


async def test_list_filter_get_simulate_and_clear(app: FastAPI) -> None:
    owner = await signup(app)
    first, second = unique_email("ada"), unique_email("bob")
    await _email_someone(owner, first)
    await _email_someone(owner, second)

    everything = await _list(owner, limit=500, offset=0)
    assert everything["total"] == 2
    only_first = await _list(owner, to=first, workspaceId=owner.workspace_id)
    [email] = only_first["emails"]
    assert (email["to"], email["subject"], email["html"]) == (first, "Welcome", "<p>Hello</p>")

    detail = await owner.client.get(f"/api/sandbox/emails/{email['id']}")
    assert detail.json()["headers"]["X-Kindred-Message-Id"]

    opened = await owner.client.post(
        f"/api/sandbox/emails/{email['id']}/simulate",
        json={"event": "clicked", "url": "https://acme.com"},
    )
    assert opened.json()["status"] == "clicked"
    assert opened.json()["events"][-1]["url"] == "https://acme.com"

    bulk = await owner.client.post(
        "/api/sandbox/emails/simulate-bulk",
        json={"filter": {"status": "sent"}, "event": "delivered"},
    )
    assert bulk.json() == {"affected": 1}
    assert (await _list(owner, status="delivered"))["total"] == 1

    cleared = await owner.client.request("DELETE", "/api/sandbox/emails")
    assert cleared.json() == {"deleted": 2}
    assert (await _list(owner))["emails"] == []


async def test_limit_above_500_is_refused(app: FastAPI) -> None:
    owner = await signup(app)
    assert (await owner.client.get("/api/sandbox/emails?limit=501")).status_code == 400


async def test_sandbox_is_for_admins(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    assert (await member.client.get("/api/sandbox/emails")).status_code == 403


async def test_simulated_bounce_bans_the_address_like_the_webhook(app: FastAPI) -> None:
    owner = await signup(app)
    address = unique_email("gone")
    await _email_someone(owner, address)
    [email] = (await _list(owner))["emails"]
    await owner.client.post(
        f"/api/sandbox/emails/{email['id']}/simulate", json={"event": "bounced"}
    )
    banned = (await owner.client.get("/api/auth/banned")).json()["data"]
    assert [entry["email"] for entry in banned] == [address]
