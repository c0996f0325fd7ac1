"""A WEBHOOK delivery queued or retrying when its workflow is deactivated is not sent: like the
run's other steps, it belongs to the activation its run started under."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from tests.automations.helpers import make_workflow, runs_of, settle
from tests.factories import Actor, signup
from tests.messaging.helpers import make_contact
from tests.webhooks.receiver import Receiver


async def _retrying_webhook(actor: Actor, jobs: JobRuntime, receiver: Receiver) -> dict[str, Any]:
    """A workflow whose WEBHOOK's first delivery failed, and whose retry is queued."""
    receiver.reply = lambda _request: (500, {})
    webhook = {"type": "WEBHOOK", "config": {"url": receiver.url}}
    workflow = await make_workflow(actor, actions=[webhook])
    await make_contact(actor)
    await settle(jobs)
    assert len(receiver.received) == 1
    receiver.reply = lambda _request: (200, {})
    return workflow


@pytest.mark.parametrize(
    "statuses", [["INACTIVE"], ["INACTIVE", "ACTIVE"]], ids=["deactivated", "reactivated"]
)
async def test_a_webhook_retry_after_a_deactivation_is_not_sent_and_stops_its_run(
    app: FastAPI, jobs: JobRuntime, receiver: Receiver, statuses: list[str]
) -> None:
    actor = await signup(app)
    workflow = await _retrying_webhook(actor, jobs, receiver)
    for status in statuses:
        path = f"/api/workflows/{workflow['id']}"
        response = await actor.client.put(path, json={"status": status})
        assert response.status_code == 200, response.text
    await settle(jobs, now=utcnow() + timedelta(hours=1))
    assert len(receiver.received) == 1
    (run,) = await runs_of(actor, workflow["id"])
    (step,) = run["steps"]
    assert step["status"] == "STOPPED"
    assert "deactivated" in step["error"]
    assert run["status"] == "STOPPED"
    assert "deactivated" in run["error"]
