"""Live mode: sends go through the send task to Twilio and MailerSend (local fakes), once per
message, and their webhooks bring the status back."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
import respx
from fastapi import FastAPI
from httpx import AsyncClient

from kindred.core.db.session import Database
from kindred.core.db.types import utcnow
from kindred.core.jobs import enqueue
from kindred.core.jobs.runtime import JobRuntime
from kindred.messaging.delivery import SEND_TASK
from kindred.messaging.provider_events import OVERTAKING
from kindred.settings import Settings
from tests.databases import DatabaseFactory
from tests.factories import Actor, signup
from tests.messaging.helpers import (
    AUTH_TOKEN,
    STATUS_URL,
    configure_twilio,
    make_contact,
    post_signed,
    send,
    settings_with,
    unique_phone,
)
from tests.providers.fakes import MAILERSEND_BASE, TWILIO_BASE, FakeMailerSend, FakeTwilio

MAILERSEND_KEY, SIGNING_SECRET = "mlsn.test-key", "mailersend-signing-secret"


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return await settings_with(
        databases,
        tmp_path_factory,
        delivery_mode="live",
        twilio_base_url=TWILIO_BASE,
        email_provider="mailersend",
        mailersend_base_url=MAILERSEND_BASE,
        mailersend_api_key=MAILERSEND_KEY,
        mailersend_webhook_secret=SIGNING_SECRET,
        job_backoff_base_seconds=0,
    )


async def _twilio_actor(app: FastAPI, fake_sid: str) -> Actor:
    actor = await signup(app)
    await configure_twilio(actor, unique_phone(), twilioAccountSid=fake_sid)
    return actor


async def _thread(actor: Actor, conversation_id: str) -> list[dict[str, Any]]:
    response = await actor.client.get(f"/api/messages/{conversation_id}")
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


async def test_sms_is_sent_by_the_task_through_twilio(app: FastAPI, jobs: JobRuntime) -> None:
    fake = FakeTwilio("AC" + uuid.uuid4().hex, AUTH_TOKEN)
    actor = await _twilio_actor(app, fake.account_sid)
    contact = await make_contact(actor)
    with respx.mock:
        respx.post(fake.url()).mock(side_effect=fake)
        queued = await send(actor, contact["id"])
        assert queued.json()["status"] == "QUEUED"
        await jobs.runner.run_due()
    assert [form["To"] for form in fake.received] == [contact["phone"]]
    assert fake.idempotency_tokens == [queued.json()["id"]]
    [message] = await _thread(actor, queued.json()["conversationId"])
    assert message["status"] == "SENT"


async def test_twilio_outage_is_retried_and_sent_once(app: FastAPI, jobs: JobRuntime) -> None:
    fake = FakeTwilio("AC" + uuid.uuid4().hex, AUTH_TOKEN, outages=1)
    actor = await _twilio_actor(app, fake.account_sid)
    contact = await make_contact(actor)
    with respx.mock:
        respx.post(fake.url()).mock(side_effect=fake)
        queued = await send(actor, contact["id"])
        for _ in range(3):
            await jobs.runner.run_due()
    assert len(fake.received) == 1
    [message] = await _thread(actor, queued.json()["conversationId"])
    assert message["status"] == "SENT"


async def test_an_outage_outlasting_every_retry_fails_the_message(
    app: FastAPI, jobs: JobRuntime
) -> None:
    fake = FakeTwilio("AC" + uuid.uuid4().hex, AUTH_TOKEN, outages=1_000)
    actor = await _twilio_actor(app, fake.account_sid)
    contact = await make_contact(actor)
    with respx.mock:
        respx.post(fake.url()).mock(side_effect=fake)
        queued = await send(actor, contact["id"])
        later = utcnow()
        for _ in range(8):  # past the default 5 attempts; backoff is capped at an hour
            later += timedelta(hours=2)
            await jobs.runner.run_due(now=later)
    assert fake.received == []
    [message] = await _thread(actor, queued.json()["conversationId"])
    assert message["status"] == "FAILED"
    assert message["error"].startswith("Provider unavailable")


async def test_twilio_refusal_fails_the_message_with_twilios_reason(
    app: FastAPI, jobs: JobRuntime
) -> None:
    fake = FakeTwilio("AC" + uuid.uuid4().hex, AUTH_TOKEN)
    actor = await _twilio_actor(app, fake.account_sid)
    contact = await make_contact(actor, phone="+19995550100")
    with respx.mock:
        respx.post(fake.url()).mock(side_effect=fake)
        queued = await send(actor, contact["id"])
        await jobs.runner.run_due()
    [message] = await _thread(actor, queued.json()["conversationId"])
    assert message["status"] == "FAILED"
    assert "not a valid phone number" in message["error"]


async def test_status_callback_marks_the_message_delivered(
    app: FastAPI, jobs: JobRuntime, client: AsyncClient
) -> None:
    fake = FakeTwilio("AC" + uuid.uuid4().hex, AUTH_TOKEN)
    actor = await _twilio_actor(app, fake.account_sid)
    contact = await make_contact(actor)
    with respx.mock:
        route = respx.post(fake.url()).mock(side_effect=fake)
        queued = await send(actor, contact["id"])
        await jobs.runner.run_due()
    sid = route.calls.last.response.json()["sid"]
    form = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": fake.account_sid}
    assert (await post_signed(client, form, url=STATUS_URL)).status_code == 204
    forged = await post_signed(
        client, form | {"MessageStatus": "failed"}, url=STATUS_URL, token="x"
    )
    assert forged.status_code == 403
    [message] = await _thread(actor, queued.json()["conversationId"])
    assert message["status"] == "DELIVERED"


async def test_banned_recipient_is_never_handed_to_twilio(app: FastAPI, jobs: JobRuntime) -> None:
    fake = FakeTwilio("AC" + uuid.uuid4().hex, AUTH_TOKEN)
    actor = await _twilio_actor(app, fake.account_sid)
    contact = await make_contact(actor)
    await actor.client.post("/api/auth/banned", json={"phone": contact["phone"]})
    with respx.mock:
        respx.post(fake.url()).mock(side_effect=fake)
        assert (await send(actor, contact["id"])).status_code == 422
        await jobs.runner.run_due()
    assert fake.received == []


def _activity(message_id: str, kind: str, **data: Any) -> bytes:
    """A MailerSend activity body, happening now unless `data` says when (`created_at`)."""
    fields = {
        "id": uuid.uuid4().hex,
        "type": kind,
        "created_at": utcnow().isoformat(),
        "email": {"message": {"id": message_id}},
    }
    return json.dumps({"type": f"activity.{kind}", "data": fields | data}).encode()


async def _post_mailersend(client: AsyncClient, body: bytes, secret: str = SIGNING_SECRET) -> int:
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    response = await client.post(
        "/api/webhooks/mailersend",
        content=body,
        headers={"signature": signature, "content-type": "application/json"},
    )
    return response.status_code


async def _sent_email(app: FastAPI, jobs: JobRuntime) -> tuple[Actor, dict[str, Any], str]:
    fake = FakeMailerSend(MAILERSEND_KEY)
    actor = await signup(app)
    contact = await make_contact(actor)
    with respx.mock:
        route = respx.post(f"{MAILERSEND_BASE}/email").mock(side_effect=fake)
        queued = await send(actor, contact["id"], "EMAIL", subject="Hello")
        await jobs.runner.run_due()
    assert len(fake.received) == 1
    return actor, queued.json(), route.calls.last.response.headers["x-message-id"]


async def test_mailersend_delivered_event_updates_the_message(
    app: FastAPI, jobs: JobRuntime, client: AsyncClient
) -> None:
    actor, sent, provider_id = await _sent_email(app, jobs)
    assert await _post_mailersend(client, _activity(provider_id, "delivered")) == 200
    [message] = await _thread(actor, sent["conversationId"])
    assert message["status"] == "DELIVERED"


async def test_mailersend_hard_bounce_bans_the_address(
    app: FastAPI, jobs: JobRuntime, client: AsyncClient
) -> None:
    actor, sent, provider_id = await _sent_email(app, jobs)
    bounce = _activity(provider_id, "hard_bounced", morph={"reason": "Mailbox does not exist"})
    assert await _post_mailersend(client, bounce) == 200
    [message] = await _thread(actor, sent["conversationId"])
    assert (message["status"], message["error"]) == ("BOUNCED", "Mailbox does not exist")
    banned = (await actor.client.get("/api/auth/banned")).json()["data"]
    assert [entry["reason"] for entry in banned] == ["Mailbox does not exist"]


async def test_mailersend_event_before_its_message_is_known_is_applied_on_the_retry(
    app: FastAPI, jobs: JobRuntime, client: AsyncClient
) -> None:
    """The activity overtook the commit of the send that learnt the message id: refused
    unrecorded, so MailerSend's retry of the same activity applies it."""
    actor, sent, provider_id = await _sent_email(app, jobs)
    early = json.loads(_activity(provider_id, "delivered"))
    early["data"]["email"]["message"]["id"] = "not-yet-" + provider_id
    assert await _post_mailersend(client, json.dumps(early).encode()) == 404
    early["data"]["email"]["message"]["id"] = provider_id  # now committed: the same activity
    assert await _post_mailersend(client, json.dumps(early).encode()) == 200
    [message] = await _thread(actor, sent["conversationId"])
    assert message["status"] == "DELIVERED"


async def test_an_old_mailersend_activity_for_no_message_of_ours_is_taken_and_ignored(
    client: AsyncClient,
) -> None:
    """A preview's (it has no message) or a deleted message's: answered 200, so that the
    webhook does not keep failing; a recent one is a 404 (see the test above)."""
    long_ago = (utcnow() - OVERTAKING - timedelta(minutes=1)).isoformat()
    assert await _post_mailersend(client, _activity("never-ours", "sent")) == 404
    body = _activity("never-ours", "delivered", created_at=long_ago)
    assert await _post_mailersend(client, body) == 200


async def test_mailersend_event_with_an_overlong_activity_id_is_refused(
    app: FastAPI, jobs: JobRuntime, client: AsyncClient
) -> None:
    _, _, provider_id = await _sent_email(app, jobs)
    event = json.loads(_activity(provider_id, "delivered"))
    event["data"]["id"] = "a" * 300
    assert await _post_mailersend(client, json.dumps(event).encode()) == 400


async def test_mailersend_event_with_a_bad_signature_changes_nothing(
    app: FastAPI, jobs: JobRuntime, client: AsyncClient
) -> None:
    actor, sent, provider_id = await _sent_email(app, jobs)
    assert await _post_mailersend(client, _activity(provider_id, "delivered"), "wrong") == 401
    [message] = await _thread(actor, sent["conversationId"])
    assert message["status"] == "SENT"


async def test_sandbox_routes_are_not_found_in_live_mode(app: FastAPI) -> None:
    actor = await signup(app)
    assert (await actor.client.get("/api/sandbox/status")).json() == {"mode": "live"}
    assert (await actor.client.get("/api/sandbox/emails")).status_code == 404


async def test_a_sent_message_is_not_sent_again_by_a_repeated_task(
    app: FastAPI, jobs: JobRuntime, database: Database
) -> None:
    fake = FakeTwilio("AC" + uuid.uuid4().hex, AUTH_TOKEN)
    actor = await _twilio_actor(app, fake.account_sid)
    contact = await make_contact(actor)
    with respx.mock:
        respx.post(fake.url()).mock(side_effect=fake)
        queued = await send(actor, contact["id"])
        await jobs.runner.run_due()
        async with database.session_scope() as session:
            await enqueue(
                session,
                SEND_TASK,
                workspace=actor.workspace_id,
                message=queued.json()["id"],
            )
        await jobs.runner.run_due()
    assert len(fake.received) == 1


async def test_replayed_mailersend_event_is_applied_once(
    app: FastAPI, jobs: JobRuntime, client: AsyncClient
) -> None:
    actor, _, provider_id = await _sent_email(app, jobs)
    bounce = _activity(provider_id, "spam_complaint")
    for _ in range(2):
        assert await _post_mailersend(client, bounce) == 200
    banned = (await actor.client.get("/api/auth/banned")).json()["data"]
    assert [entry["reason"] for entry in banned] == ["Spam complaint"]
