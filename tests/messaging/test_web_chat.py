"""Web chat: a visitor starts a conversation and posts with its token; agents answer through
`POST /api/messages`; the endpoints are rate-limited per IP as public paths."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from tests.factories import Actor, signup


async def _start(client: AsyncClient, actor: Actor, **extra: Any) -> dict[str, Any]:
    body = {
        "visitorName": "Jane Smith",
        "visitorEmail": "jane@example.com",
        "pageUrl": "https://acme.com/pricing",
        "message": "Do you ship to Canada?",
    } | extra
    response = await client.post(
        f"/api/chat/{actor.workspace_id}/conversations",
        json=body,
        headers={"user-agent": "Mozilla/5.0 test", "referer": "https://google.com"},
    )
    assert response.status_code == 201, response.text
    started: dict[str, Any] = response.json()
    return started


async def test_visitor_chat_is_answered_by_an_agent(app: FastAPI, client: AsyncClient) -> None:
    actor = await signup(app)
    started = await _start(client, actor)
    token = {"x-chat-token": started["token"]}
    path = f"/api/chat/conversations/{started['conversationId']}/messages"
    assert (await client.post(path, json={"content": "Hello?"}, headers=token)).status_code == 201
    reply = await actor.client.post(
        "/api/messages", json={"conversationId": started["conversationId"], "content": "Yes we do"}
    )
    assert reply.status_code == 200, reply.text
    seen = (await client.get(path, headers=token)).json()
    assert [(m["direction"], m["content"]) for m in seen] == [
        ("INBOUND", "Do you ship to Canada?"),
        ("INBOUND", "Hello?"),
        ("OUTBOUND", "Yes we do"),
    ]


async def test_chat_without_the_right_token_is_not_found(app: FastAPI, client: AsyncClient) -> None:
    actor = await signup(app)
    started = await _start(client, actor)
    path = f"/api/chat/conversations/{started['conversationId']}/messages"
    wrong = await client.post(path, json={"content": "x"}, headers={"x-chat-token": "kch_nope"})
    missing = await client.get(path)
    assert (wrong.status_code, missing.status_code) == (404, 404)


async def test_chat_records_the_visitor_context(app: FastAPI, client: AsyncClient) -> None:
    actor = await signup(app)
    await _start(client, actor)
    keys, _ = await actor.api_key_client()
    [conversation] = (await keys.get("/api/v1/conversations")).json()
    assert conversation["visitorName"] == "Jane Smith"
    assert conversation["userAgent"] == "Mozilla/5.0 test"
    assert conversation["referrerUrl"] == "https://google.com"
    assert conversation["pageUrl"] == "https://acme.com/pricing"
    assert conversation["visitorIp"]


async def test_an_overlong_referer_header_is_recorded_cut_to_its_column(
    app: FastAPI, client: AsyncClient
) -> None:
    actor = await signup(app)
    referer = "https://example.com/" + "a" * 3000
    started = await client.post(
        f"/api/chat/{actor.workspace_id}/conversations",
        json={"message": "Hi"},
        headers={"referer": referer},
    )
    assert started.status_code == 201, started.text
    keys, _ = await actor.api_key_client()
    [conversation] = (await keys.get("/api/v1/conversations")).json()
    assert conversation["referrerUrl"] == referer[:2000]


async def test_chat_for_an_unknown_workspace_is_not_found(
    app: FastAPI, client: AsyncClient
) -> None:
    unknown = "/api/chat/0193a000-0000-7000-8000-000000000000/conversations"
    assert (await client.post(unknown, json={"message": "hi"})).status_code == 404


async def test_chat_cannot_be_started_by_an_agent_without_a_visitor(app: FastAPI) -> None:
    actor = await signup(app)
    contact = (await actor.client.post("/api/contacts", json={"firstName": "Ada"})).json()
    body = {"contactId": contact["id"], "content": "Hi", "channel": "CHAT"}
    assert (await actor.client.post("/api/messages", json=body)).status_code == 400
