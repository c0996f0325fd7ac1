"""Document 000's Messages API examples: list conversations, a conversation's messages, send."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup

CONVERSATION_KEYS = {"id", "contactId", "contact", "lastMessage", "unreadCount", "channel"}
MESSAGE_KEYS = {"id", "content", "direction", "channel", "status", "createdAt"}


async def test_send_list_and_read_messages_as_documented(app: FastAPI) -> None:
    owner = await signup(app)
    contact = await owner.client.post(
        "/api/contacts",
        json={"firstName": "Alice", "lastName": "Johnson", "phone": "+15559876543"},
    )
    sent = await owner.client.post(
        "/api/messages",
        json={
            "contactId": contact.json()["id"],
            "content": "Thanks for reaching out! Our team will contact you soon.",
            "channel": "SMS",
        },
    )
    assert sent.status_code == 200, sent.text
    assert sent.json().keys() >= MESSAGE_KEYS
    assert (sent.json()["direction"], sent.json()["channel"], sent.json()["status"]) == (
        "OUTBOUND",
        "SMS",
        "SENT",
    )
    assert sent.json()["createdAt"].endswith("Z")

    listed = await owner.client.get("/api/messages?channel=SMS")
    [conversation] = listed.json()["conversations"]
    assert conversation.keys() >= CONVERSATION_KEYS
    assert {"firstName", "lastName", "phone"} <= conversation["contact"].keys()
    assert {"content", "direction", "createdAt"} <= conversation["lastMessage"].keys()
    assert conversation["channel"] == "SMS"

    thread = await owner.client.get(f"/api/messages/{conversation['id']}")
    [message] = thread.json()["messages"]
    assert message.keys() >= MESSAGE_KEYS
    assert message["id"] == sent.json()["id"]


async def test_contact_detail_lists_its_messages_as_documented(app: FastAPI) -> None:
    owner = await signup(app)
    contact = await owner.client.post(
        "/api/contacts", json={"firstName": "Alice", "email": "alice@example.com"}
    )
    await owner.client.post(
        "/api/messages",
        json={"contactId": contact.json()["id"], "content": "Hello Alice!", "channel": "EMAIL"},
    )
    detail = await owner.client.get(f"/api/contacts/{contact.json()['id']}")
    [message] = detail.json()["messages"]
    assert {"id", "content", "direction", "createdAt"} <= message.keys()
    assert (message["content"], message["direction"]) == ("Hello Alice!", "OUTBOUND")
