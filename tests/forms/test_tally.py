"""Document 002's Tally webhook: a signed FORM_RESPONSE creates or updates the contact by
email, logs the submission on their timeline once, and starts FORM_SUBMITTED workflows."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle, tags_of
from tests.factories import Actor, signup, unique_email

SECRET = "tally-signing-secret"
PATH = "/api/webhooks/tally"


@contextmanager
def receiving_in(app: FastAPI, workspace_id: uuid.UUID) -> Iterator[None]:
    """The app's settings name the signing secret and `workspace_id` while the block runs."""
    before = app.state.settings
    app.state.settings = before.model_copy(
        update={"tally_webhook_signing_secret": SECRET, "tally_workspace_id": workspace_id}
    )
    try:
        yield
    finally:
        app.state.settings = before


@pytest.fixture
async def receiver(app: FastAPI) -> AsyncIterator[Actor]:
    """A workspace that receives the Tally submissions."""
    actor = await signup(app)
    with receiving_in(app, uuid.UUID(actor.workspace_id)):
        yield actor


def delivery(email: str | None, *fields: dict[str, Any], form_id: str = "wMdxEo") -> bytes:
    answers = list(fields)
    if email is not None:
        answers.insert(
            0, {"key": "question_e", "label": "Email", "type": "INPUT_EMAIL", "value": email}
        )
    return json.dumps(
        {
            "eventId": str(uuid.uuid4()),
            "eventType": "FORM_RESPONSE",
            "createdAt": "2026-11-20T10:00:00.000Z",
            "data": {
                "responseId": "2wgx4n",
                "submissionId": "2wgx4n",
                "formId": form_id,
                "formName": "Contact us",
                "createdAt": "2026-11-20T10:00:00.000Z",
                "fields": answers,
            },
        }
    ).encode()


def answer(label: str, value: Any, type_: str = "INPUT_TEXT", **extra: Any) -> dict[str, Any]:
    return {"key": f"question_{label}", "label": label, "type": type_, "value": value} | extra


async def post(actor: Actor, body: bytes, secret: str = SECRET) -> Any:
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return await actor.client.post(
        PATH,
        content=body,
        headers={"tally-signature": signature.decode(), "content-type": "application/json"},
    )


async def timeline(actor: Actor, contact_id: str) -> list[dict[str, Any]]:
    response = await actor.client.get(f"/api/contacts/{contact_id}/interactions")
    assert response.status_code == 200, response.text
    body = response.json()
    entries: list[dict[str, Any]] = body if isinstance(body, list) else body["interactions"]
    return [entry for entry in entries if entry["type"] == "form_submission"]


async def test_a_signed_submission_creates_the_contact_from_its_answers(receiver: Actor) -> None:
    email = unique_email("tally")
    topics = answer(
        "Topics",
        ["a", "b"],
        "CHECKBOXES",
        options=[{"id": "a", "text": "Pricing"}, {"id": "b", "text": "Demo"}],
    )
    body = delivery(
        email,
        answer("Full name", "Ada Lovelace"),
        answer("Phone number", "+1 415 555 0100", "INPUT_PHONE_NUMBER"),
        answer("Company", "Analytical Engines"),
        topics,
    )
    response = await post(receiver, body)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "created"
    contact = (await receiver.client.get(f"/api/contacts/{response.json()['contactId']}")).json()
    contact = contact.get("contact", contact)
    assert (contact["firstName"], contact["lastName"], contact["email"]) == (
        "Ada",
        "Lovelace",
        email,
    )
    assert (contact["phone"], contact["company"], contact["source"]) == (
        "+14155550100", "Analytical Engines", "tally",
    )  # fmt: skip
    (entry,) = await timeline(receiver, contact["id"])
    assert entry["subject"] == "Contact us"
    assert "Topics: Pricing, Demo" in entry["body"]


async def test_a_later_submission_updates_the_same_contact(receiver: Actor) -> None:
    email = unique_email("tally")
    first = await post(receiver, delivery(email, answer("First name", "Ada")))
    second = await post(receiver, delivery(email.upper(), answer("First name", "Augusta")))
    assert second.json() == {"status": "updated", "contactId": first.json()["contactId"]}
    contact = (await receiver.client.get(f"/api/contacts/{first.json()['contactId']}")).json()
    assert contact.get("contact", contact)["firstName"] == "Augusta"
    assert len(await timeline(receiver, first.json()["contactId"])) == 2


async def test_a_replayed_delivery_changes_nothing(receiver: Actor) -> None:
    body = delivery(unique_email("tally"), answer("First name", "Ada"))
    first = await post(receiver, body)
    again = await post(receiver, body)
    assert again.status_code == 200
    assert again.json()["contactId"] == first.json()["contactId"]
    assert len(await timeline(receiver, first.json()["contactId"])) == 1


async def test_an_answer_its_field_refuses_stays_an_answer_only(receiver: Actor) -> None:
    body = delivery(
        unique_email("tally"), answer("Phone", "call me maybe"), answer("First name", "Ada")
    )
    response = await post(receiver, body)
    assert response.status_code == 200, response.text
    contact = (await receiver.client.get(f"/api/contacts/{response.json()['contactId']}")).json()
    assert contact.get("contact", contact)["phone"] is None
    (entry,) = await timeline(receiver, response.json()["contactId"])
    assert "Phone: call me maybe" in entry["body"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (delivery(None, answer("First name", "Ada")), "INVALID_SUBMISSION"),
        (b"{not json", "INVALID_PAYLOAD"),
        (json.dumps({"eventType": "FORM_RESPONSE"}).encode(), "INVALID_SUBMISSION"),
    ],
)
async def test_no_email_or_no_json_is_a_400_that_stores_nothing(
    receiver: Actor, body: bytes, code: str
) -> None:
    response = await post(receiver, body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert (await receiver.client.get("/api/contacts")).json()["total"] == 0


async def test_a_wrong_or_missing_signature_is_refused_before_anything_is_read(
    receiver: Actor,
) -> None:
    body = delivery(unique_email("tally"))
    assert (await post(receiver, body, secret="another-secret")).status_code == 401
    unsigned = await receiver.client.post(PATH, content=body)
    assert unsigned.status_code == 401
    assert (await receiver.client.get("/api/contacts")).json()["total"] == 0


async def test_without_a_signing_secret_the_webhook_is_not_there(app: FastAPI) -> None:
    actor = await signup(app)
    response = await post(actor, delivery(unique_email("tally")))
    assert response.status_code == 404
    assert response.json()["code"] == "TALLY_NOT_CONFIGURED"


async def test_a_configured_workspace_that_is_gone_is_a_404(app: FastAPI) -> None:
    actor = await signup(app)
    with receiving_in(app, uuid.uuid4()):
        response = await post(actor, delivery(unique_email("tally")))
    assert response.status_code == 404, response.text


async def test_a_submission_starts_the_form_submitted_workflows_of_its_form(
    receiver: Actor, jobs: JobRuntime
) -> None:
    tag = [{"type": "ADD_TAG", "config": {"tag": "enquiry"}}]
    ours = await make_workflow(
        receiver, trigger="FORM_SUBMITTED", triggerConfig={"formId": "wMdxEo"}, actions=tag
    )
    other = await make_workflow(
        receiver, trigger="FORM_SUBMITTED", triggerConfig={"formId": "other"}, actions=tag
    )
    response = await post(receiver, delivery(unique_email("tally"), answer("First name", "Ada")))
    await settle(jobs)
    assert "enquiry" in await tags_of(receiver, response.json()["contactId"])
    assert [run["status"] for run in await runs_of(receiver, ours["id"])] == ["COMPLETED"]
    assert await runs_of(receiver, other["id"]) == []


async def test_characters_no_database_stores_are_dropped_from_the_answers(
    receiver: Actor,
) -> None:
    body = delivery(
        unique_email("tally"),
        answer("First name", "Ada\x00"),
        answer("Notes \ud800", "a\x00b"),
    )
    response = await post(receiver, body)
    assert response.status_code == 200, response.text
    contact_id = response.json()["contactId"]
    contact = (await receiver.client.get(f"/api/contacts/{contact_id}")).json()
    assert contact.get("contact", contact)["firstName"] == "Ada"
    (entry,) = await timeline(receiver, contact_id)
    assert "Notes : ab" in entry["body"]


async def test_a_submission_time_out_of_range_once_in_utc_is_left_out(receiver: Actor) -> None:
    payload = json.loads(delivery(unique_email("tally")))
    payload["data"]["createdAt"] = "0001-01-01T00:00:00+01:00"
    response = await post(receiver, json.dumps(payload).encode())
    assert response.status_code == 200, response.text
    assert len(await timeline(receiver, response.json()["contactId"])) == 1


async def test_a_number_json_cannot_carry_is_no_answer(receiver: Actor) -> None:
    body = delivery(unique_email("tally"), answer("Budget", 0), answer("Team size", 1))
    body = body.replace(b'"value": 0', b'"value": NaN').replace(b'"value": 1}', b'"value": 1e999}')
    response = await post(receiver, body)
    assert response.status_code == 200, response.text
    (entry,) = await timeline(receiver, response.json()["contactId"])
    assert "Budget" not in entry["body"]
    assert "Team size" not in entry["body"]
