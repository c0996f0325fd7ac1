"""SEND_EMAIL's `config.to`: an address of the user's choosing, through the consent gate."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle
from tests.factories import Actor, signup, unique_email
from tests.messaging.helpers import captured, make_contact


def notify(to: Any) -> list[dict[str, Any]]:
    config = {"to": to, "subject": "New lead", "body": "{{contact.firstName}} signed up"}
    return [{"type": "SEND_EMAIL", "config": config}]


async def notified_run(actor: Actor, jobs: JobRuntime, to: str, **contact: Any) -> dict[str, Any]:
    """The run of a CONTACT_CREATED workflow that emails `to` about a new contact."""
    workflow = await make_workflow(actor, actions=notify(to))
    await make_contact(actor, firstName="Ada", **contact)
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    return run


async def test_send_email_to_reaches_that_address_and_not_the_contact(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    team = unique_email("sales")
    run = await notified_run(actor, jobs, team.upper())
    assert run["status"] == "COMPLETED"
    assert run["steps"][0]["output"]["to"] == team
    (email,) = await captured(actor)
    assert (email["to"], email["subject"], email["text"]) == (team, "New lead", "Ada signed up")


async def test_send_email_to_ignores_the_consent_of_the_contact_it_is_about(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    team = unique_email("sales")
    run = await notified_run(actor, jobs, team, globallyUnsubscribed=True)
    assert run["status"] == "COMPLETED"
    assert [email["to"] for email in await captured(actor)] == [team]


async def test_send_email_to_a_banned_address_is_refused(app: FastAPI, jobs: JobRuntime) -> None:
    actor = await signup(app)
    team = unique_email("sales")
    banned = await actor.client.post("/api/auth/banned", json={"email": team})
    assert banned.status_code == 200, banned.text
    run = await notified_run(actor, jobs, team)
    assert run["status"] == "FAILED"
    assert "banlist" in run["steps"][0]["error"]
    assert await captured(actor) == []


async def test_send_email_to_a_contacts_address_applies_that_contacts_consent(
    app: FastAPI, jobs: JobRuntime
) -> None:
    actor = await signup(app)
    boss = await make_contact(actor, globallyUnsubscribed=True)
    await settle(jobs)  # its own contact.created comes before the workflow
    run = await notified_run(actor, jobs, boss["email"])
    assert run["status"] == "FAILED"
    assert "unsubscribed" in run["steps"][0]["error"]
    assert await captured(actor) == []


async def test_invalid_to_is_a_400_that_changes_nothing(app: FastAPI) -> None:
    actor = await signup(app)
    body = {"name": "N", "trigger": "CONTACT_CREATED", "actions": notify("not-an-address")}
    created = await actor.client.post("/api/workflows", json=body)
    assert created.status_code == 400, created.text
    assert created.json()["details"][0]["field"] == "actions[0].config.to"
    workflow = await make_workflow(actor, actions=notify(unique_email("sales")))
    path = f"/api/workflows/{workflow['id']}"
    for actions in (notify(["a@example.com"]), [{"type": "SEND_SMS", "config": {"to": "+1"}}]):
        updated = await actor.client.put(path, json={"actions": actions})
        assert updated.status_code == 400, updated.text
    assert (await actor.client.get(path)).json()["actions"] == workflow["actions"]
