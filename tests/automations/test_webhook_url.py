"""A WEBHOOK action's URL is a template over its path and query only: the scheme, host and port
are fixed when the workflow is saved, and every value renders percent-encoded."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle
from tests.factories import Actor, signup
from tests.messaging.helpers import make_contact
from tests.webhooks.receiver import Receiver


async def delivered_url(app: FastAPI, jobs: JobRuntime, url: str, **contact: Any) -> str:
    """The URL a CONTACT_CREATED workflow's WEBHOOK step to `url` was delivered to, for a new
    contact with `contact`'s fields."""
    actor = await signup(app)
    action = {"type": "WEBHOOK", "config": {"url": url}}
    workflow = await make_workflow(actor, actions=[action])
    await make_contact(actor, **contact)
    await settle(jobs)
    (run,) = await runs_of(actor, workflow["id"])
    assert run["status"] == "COMPLETED", run
    (step,) = run["steps"]
    assert step["status"] == "COMPLETED", step
    url_sent: str = step["output"]["url"]
    return url_sent


async def test_a_webhook_url_template_renders_the_contact_into_its_query(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    url = receiver.url + "?c={{contact.firstName}}&n={{ contact.lastName|upper }}"
    sent = await delivered_url(app, jobs, url, firstName="Ada", lastName="Lovelace")
    assert sent == receiver.url + "?c=Ada&n=LOVELACE"
    assert len(receiver.received) == 1


async def test_values_rendered_into_a_webhook_url_are_percent_encoded(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver
) -> None:
    """A contact's data cannot add a path segment, a parameter, a fragment or a host."""
    url = receiver.url + "/{{contact.firstName}}?c={{contact.lastName}}"
    hostile = {"firstName": "../@evil.example:81/x", "lastName": "a b&admin=1#frag"}
    sent = await delivered_url(app, jobs, url, **hostile)
    assert sent == receiver.url + "/..%2F%40evil.example%3A81%2Fx?c=a%20b%26admin%3D1%23frag"
    assert len(receiver.received) == 1


async def assert_url_refused(actor: Actor, url: str) -> None:
    """Saving a CONTACT_CREATED workflow whose WEBHOOK step posts to `url` is a 400 naming it."""
    action = {"type": "WEBHOOK", "config": {"url": url}}
    body = {"name": "Hook", "trigger": "CONTACT_CREATED", "actions": [action]}
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "actions[0].config.url"


@pytest.mark.parametrize(
    "url",
    [
        "https://{{contact.company}}.example/hook",
        "https://hooks.example{{contact.company}}/hook",
        "https://hooks.example:{{contact.phone}}/hook",
        "https://{{contact.firstName}}@hooks.example/hook",
        "https://hooks.example/hook?c={% if contact.email %}x{% endif %}",
        "https://hooks.example/hook?c={{ '}}' }}",
        "https:///hook",
    ],
)
async def test_a_webhook_url_with_a_template_outside_its_path_and_query_is_a_400(
    app: FastAPI, url: str
) -> None:
    actor = await signup(app)
    await assert_url_refused(actor, url)
    assert (await actor.client.get("/api/workflows")).json()["workflows"] == []


@pytest.mark.parametrize(
    "url",
    [
        "https://[::1/hook",
        "https://hooks.example:99999/hook",
        "https://hooks.example:0/hook",
        "https://user:secret@hooks.example/hook",
    ],
)
async def test_a_webhook_url_whose_host_or_port_could_never_be_reached_is_a_400(
    app: FastAPI, url: str
) -> None:
    """Saved, it would fail every delivery as "This URL is not valid"."""
    await assert_url_refused(await signup(app), url)
