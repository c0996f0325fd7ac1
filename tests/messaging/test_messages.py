"""Sending through the gate in sandbox mode: capture, simulated delivery, conversations,
the contact's timeline, and refusals that never reach a provider."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from kindred.messaging import conversations
from tests.factories import signup
from tests.messaging.helpers import captured, make_contact, send


async def test_send_capture_simulate_delivery_ends_delivered(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    sent = await send(actor, contact["id"])
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "SENT"
    [email] = await captured(actor)
    assert (email["to"], email["channel"]) == (contact["phone"], "SMS")

    simulated = await actor.client.post(
        f"/api/sandbox/emails/{email['id']}/simulate", json={"event": "delivered"}
    )
    assert simulated.status_code == 200, simulated.text
    assert simulated.json()["status"] == "delivered"
    thread = await actor.client.get(f"/api/messages/{sent.json()['conversationId']}")
    assert [m["status"] for m in thread.json()["messages"]] == ["DELIVERED"]


async def test_sent_message_is_on_the_contact_detail_and_timeline(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    await send(actor, contact["id"], "EMAIL", subject="Hi")
    detail = (await actor.client.get(f"/api/contacts/{contact['id']}")).json()
    assert [(m["content"], m["direction"]) for m in detail["messages"]] == [
        ("Hello from Kindred", "OUTBOUND")
    ]
    timeline = await actor.client.get(f"/api/contacts/{contact['id']}/interactions")
    assert "email_sent" in [item["type"] for item in timeline.json()["interactions"]]


async def test_an_email_with_a_subject_over_500_characters_keeps_it_on_the_timeline(
    app: FastAPI,
) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    subject = "Re: " + "s" * 990
    sent = await send(actor, contact["id"], "EMAIL", subject=subject)
    assert sent.status_code == 200, sent.text
    timeline = await actor.client.get(f"/api/contacts/{contact['id']}/interactions")
    assert [item["subject"] for item in timeline.json()["interactions"]] == [subject]


async def test_conversation_list_carries_contact_and_last_message(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    await send(actor, contact["id"], content="first")
    await send(actor, contact["id"], content="second")
    listed = await actor.client.get("/api/messages", params={"channel": "SMS"})
    [conversation] = listed.json()["conversations"]
    assert conversation["contact"]["phone"] == contact["phone"]
    assert conversation["lastMessage"]["content"] == "second"
    email_only = await actor.client.get("/api/messages", params={"channel": "EMAIL"})
    assert email_only.json()["conversations"] == []


async def test_banned_recipient_is_refused_and_never_captured(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    banned = await actor.client.post("/api/auth/banned", json={"email": contact["email"].upper()})
    assert banned.status_code == 200
    refused = await send(actor, contact["id"])
    assert refused.status_code == 422
    assert refused.json()["code"] == "RECIPIENT_BANNED"
    assert await captured(actor) == []
    thread = await actor.client.get("/api/messages")
    conversation_id = thread.json()["conversations"][0]["id"]
    messages = (await actor.client.get(f"/api/messages/{conversation_id}")).json()["messages"]
    assert [(m["status"], m["error"]) for m in messages] == [
        ("FAILED", "The recipient is on the banlist")
    ]


async def test_unsubscribed_recipient_is_refused_and_never_captured(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, globallyUnsubscribed=True)
    refused = await send(actor, contact["id"], "EMAIL")
    assert refused.status_code == 422
    assert refused.json()["code"] == "RECIPIENT_UNSUBSCRIBED"
    assert await captured(actor) == []


async def test_channel_opt_out_refuses_only_that_channel(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, communicationPreferences={"sms": False})
    assert (await send(actor, contact["id"], "SMS")).json()["code"] == "CHANNEL_OPTED_OUT"
    assert (await send(actor, contact["id"], "EMAIL")).status_code == 200


async def test_contact_without_an_address_for_the_channel_is_refused(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor, phone=None)
    refused = await send(actor, contact["id"], "WHATSAPP")
    assert refused.status_code == 422
    assert refused.json()["code"] == "NO_ADDRESS"


async def test_other_workspaces_contact_is_not_found(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    contact = await make_contact(owner)
    assert (await send(stranger, contact["id"])).status_code == 404


async def test_conversation_actions_assign_close_reopen_read_tag(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    conversation_id = (await send(actor, contact["id"])).json()["conversationId"]
    base = f"/api/conversations/{conversation_id}"
    assigned = await actor.client.post(f"{base}/assign", json={"userId": actor.user_id})
    assert assigned.json()["assignedToUserId"] == actor.user_id
    assert (await actor.client.post(f"{base}/close")).json()["status"] == "closed"
    assert (await actor.client.post(f"{base}/reopen")).json()["status"] == "open"
    assert (await actor.client.post(f"{base}/read")).json()["unreadCount"] == 0
    tagged = await actor.client.put(f"{base}/tags", json={"tags": ["vip", "vip", "urgent"]})
    assert tagged.json()["tags"] == ["vip", "urgent"]


async def test_assigning_a_non_member_is_refused(app: FastAPI) -> None:
    actor, stranger = await signup(app), await signup(app)
    contact = await make_contact(actor)
    conversation_id = (await send(actor, contact["id"])).json()["conversationId"]
    refused = await actor.client.post(
        f"/api/conversations/{conversation_id}/assign", json={"userId": stranger.user_id}
    )
    assert refused.status_code == 400


async def test_a_long_thread_shows_its_newest_messages_oldest_first(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversations, "THREAD_LIMIT", 2)
    actor = await signup(app)
    contact = await make_contact(actor)
    for content in ("first", "second", "third"):
        sent = await send(actor, contact["id"], content=content)
    thread = await actor.client.get(f"/api/messages/{sent.json()['conversationId']}")
    assert [m["content"] for m in thread.json()["messages"]] == ["second", "third"]
