"""Twilio's inbound webhook: signature with the workspace's token, workspace by `To`, the
sender's contact and conversation, STOP/START, replays."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import Text, select, type_coerce

from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.events import DomainEvent, events_since
from kindred.messaging.models import TwilioAccount
from tests.factories import Actor, signup
from tests.messaging.helpers import (
    AUTH_TOKEN,
    STATUS_URL,
    WEBHOOK_URL,
    configure_twilio,
    make_contact,
    post_signed,
    send,
    twilio_form,
    unique_phone,
)


async def twilio_actor(app: FastAPI) -> tuple[Actor, str]:
    """A new workspace receiving SMS on a Twilio number of its own, and that number."""
    actor = await signup(app)
    ours = unique_phone()
    await configure_twilio(actor, ours)
    return actor, ours


async def received_event(
    app: FastAPI, client: AsyncClient, database: Database, body: str
) -> DomainEvent:
    """The message.received event of a new sender's signed inbound SMS saying `body`."""
    actor, ours = await twilio_actor(app)
    since = utcnow()
    await post_signed(client, twilio_form(From=unique_phone(), To=ours, Body=body))
    async with database.session_scope() as session:
        events = await events_since(
            session, uuid.UUID(actor.workspace_id), since, types=["message.received"]
        )
    [event] = events
    return event


async def test_signed_inbound_sms_creates_contact_and_conversation(
    app: FastAPI, client: AsyncClient
) -> None:
    actor = await signup(app)
    ours, sender = unique_phone(), unique_phone()
    await configure_twilio(actor, ours)
    answer = await post_signed(client, twilio_form(From=sender, To=ours, Body="Need info"))
    assert answer.status_code == 200, answer.text
    assert "<Response>" in answer.text
    contacts = (await actor.client.get("/api/contacts", params={"search": sender})).json()
    [contact] = contacts["contacts"]
    [conversation] = (await actor.client.get("/api/messages")).json()["conversations"]
    assert conversation["contactId"] == contact["id"]
    assert conversation["unreadCount"] == 1
    assert conversation["lastMessage"]["direction"] == "INBOUND"


async def test_unsigned_inbound_sms_is_refused_and_stores_nothing(
    app: FastAPI, client: AsyncClient
) -> None:
    actor, ours = await twilio_actor(app)
    form = twilio_form(From=unique_phone(), To=ours)
    unsigned = await client.post("/api/twilio/sms-webhook", data=form)
    forged = await post_signed(client, form, token="not-" + AUTH_TOKEN)
    assert (unsigned.status_code, forged.status_code) == (403, 403)
    assert (await actor.client.get("/api/messages")).json()["conversations"] == []


async def test_inbound_sms_to_an_unknown_number_is_not_found(client: AsyncClient) -> None:
    answer = await post_signed(client, twilio_form(From=unique_phone(), To=unique_phone()))
    assert answer.status_code == 404


async def test_replayed_inbound_sms_is_applied_once(app: FastAPI, client: AsyncClient) -> None:
    actor, ours = await twilio_actor(app)
    form = twilio_form(From=unique_phone(), To=ours)
    for _ in range(2):
        assert (await post_signed(client, form)).status_code == 200
    [conversation] = (await actor.client.get("/api/messages")).json()["conversations"]
    thread = await actor.client.get(f"/api/messages/{conversation['id']}")
    assert len(thread.json()["messages"]) == 1


async def test_stop_blocks_the_next_send_and_start_allows_it(
    app: FastAPI, client: AsyncClient
) -> None:
    actor, ours = await twilio_actor(app)
    contact = await make_contact(actor)
    await post_signed(client, twilio_form(From=contact["phone"], To=ours, Body=" stop "))
    refused = await send(actor, contact["id"])
    assert refused.status_code == 422
    assert refused.json()["code"] == "CHANNEL_OPTED_OUT"
    assert "opted out of SMS" in refused.json()["reason"]
    await post_signed(client, twilio_form(From=contact["phone"], To=ours, Body="START"))
    assert (await send(actor, contact["id"])).status_code == 200


async def test_stop_and_start_hold_for_every_contact_with_the_senders_number(
    app: FastAPI, client: AsyncClient
) -> None:
    """Phones are not unique: a duplicate contact of the person who said STOP gets no SMS."""
    actor, ours = await twilio_actor(app)
    first = await make_contact(actor)
    duplicate = await make_contact(actor, phone=first["phone"])
    await post_signed(client, twilio_form(From=first["phone"], To=ours, Body="STOP"))
    assert (await send(actor, duplicate["id"])).json()["code"] == "CHANNEL_OPTED_OUT"
    await post_signed(client, twilio_form(From=first["phone"], To=ours, Body="START"))
    assert (await send(actor, duplicate["id"])).status_code == 200


async def test_twilio_settings_never_return_the_token(app: FastAPI) -> None:
    actor = await signup(app)
    body = {"brandId": actor.workspace_id, "twilioAuthToken": AUTH_TOKEN}
    answer = await actor.client.post("/api/auth/update-twillio-messaging-service-sid", json=body)
    assert answer.json() == {"success": True, "message": "Twilio settings updated"}
    assert AUTH_TOKEN not in answer.text


async def test_twilio_settings_of_another_brand_are_not_found(app: FastAPI) -> None:
    actor, other = await signup(app), await signup(app)
    body = {"brandId": other.workspace_id, "twilioAuthToken": AUTH_TOKEN}
    answer = await actor.client.post("/api/auth/update-twillio-messaging-service-sid", json=body)
    assert answer.status_code == 404


async def test_auth_token_is_stored_encrypted(app: FastAPI, database: Database) -> None:
    actor = await signup(app)
    await configure_twilio(actor, unique_phone())
    table = TwilioAccount.__table__
    raw = select(type_coerce(table.c.auth_token, Text())).where(
        table.c.workspace_id == uuid.UUID(actor.workspace_id)
    )
    async with database.engine.connect() as connection:
        stored = await connection.scalar(raw)
    assert stored
    assert AUTH_TOKEN not in stored


async def test_inbound_message_emits_message_received(
    app: FastAPI, client: AsyncClient, database: Database
) -> None:
    event = await received_event(app, client, database, "Hello?")
    assert event.data["message"]["content"] == "Hello?"


async def test_message_received_after_stop_carries_the_opted_out_contact(
    app: FastAPI, client: AsyncClient, database: Database
) -> None:
    event = await received_event(app, client, database, "STOP")
    assert event.data["contact"]["communicationPreferences"] == {"sms": False}


@pytest.mark.parametrize("body", ["Stop.", "stop!", "\tSTOP \n", "optout", "Revoke"])
async def test_opt_out_keyword_in_any_spelling_opts_out(
    app: FastAPI, client: AsyncClient, body: str
) -> None:
    actor, ours = await twilio_actor(app)
    contact = await make_contact(actor)
    await post_signed(client, twilio_form(From=contact["phone"], To=ours, Body=body))
    refused = await send(actor, contact["id"])
    assert refused.json()["code"] == "CHANNEL_OPTED_OUT"


async def test_a_sentence_containing_stop_does_not_opt_out(
    app: FastAPI, client: AsyncClient
) -> None:
    actor, ours = await twilio_actor(app)
    contact = await make_contact(actor)
    body = "Please don't stop sending me offers"
    await post_signed(client, twilio_form(From=contact["phone"], To=ours, Body=body))
    assert (await send(actor, contact["id"])).status_code == 200


@pytest.mark.parametrize("url", [WEBHOOK_URL, STATUS_URL])
@pytest.mark.parametrize(
    "form",
    [
        "MessageSid=SM%00&To=%2B1415%00&AccountSid=AC%00&MessageStatus=sent",
        "MessageSid=SM%00&MessageSid=SM1&Body=%00x&Body=y&MessageStatus=sent",  # first of two
    ],
)
async def test_a_nul_in_a_twilio_form_is_refused_before_any_lookup(
    client: AsyncClient, url: str, form: str
) -> None:
    answer = await client.post(
        url,
        content=form,
        headers={"content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "x"},
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_PAYLOAD")


async def test_inbound_sms_with_an_overlong_sid_is_refused(
    app: FastAPI, client: AsyncClient
) -> None:
    actor, ours = await twilio_actor(app)
    form = twilio_form(From=unique_phone(), To=ours, MessageSid="SM" + "a" * 300)
    assert (await post_signed(client, form)).status_code == 400
    assert (await actor.client.get("/api/messages")).json()["conversations"] == []


async def test_inbound_sms_without_a_sender_is_refused_and_creates_no_contact(
    app: FastAPI, client: AsyncClient
) -> None:
    actor, ours = await twilio_actor(app)
    answer = await post_signed(client, twilio_form(To=ours))
    assert (answer.status_code, answer.json()["error"]) == (400, "From is required")
    assert (await actor.client.get("/api/contacts")).json()["contacts"] == []
