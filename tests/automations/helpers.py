"""Shared steps of the automation tests: workflows, runs, and settling the job queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from tests.factories import Actor
from tests.messaging.helpers import make_contact


async def settle(jobs: JobRuntime, now: datetime | None = None) -> None:
    """Runs due jobs (event dispatch, runs, deliveries) until none is left."""
    while await jobs.runner.run_due(now=now):
        pass


async def settle_through_retries(jobs: JobRuntime) -> None:
    """Settles the queue again and again hours apart, past every retry of a failing job."""
    later = utcnow()
    for _attempt in range(8):
        await settle(jobs, now=later)
        later += timedelta(hours=6)


async def make_workflow(actor: Actor, **fields: Any) -> dict[str, Any]:
    body = {"name": "Flow", "trigger": "CONTACT_CREATED", "actions": []} | fields
    response = await actor.client.post("/api/workflows", json=body)
    assert response.status_code == 201, response.text
    workflow: dict[str, Any] = response.json()
    return workflow


async def runs_of(actor: Actor, workflow_id: str) -> list[dict[str, Any]]:
    response = await actor.client.get(f"/api/workflows/{workflow_id}/runs")
    assert response.status_code == 200, response.text
    runs: list[dict[str, Any]] = response.json()["runs"]
    return runs


async def tags_of(actor: Actor, contact_id: str) -> list[str]:
    response = await actor.client.get(f"/api/contacts/{contact_id}")
    assert response.status_code == 200, response.text
    contact = response.json()
    tags: list[str] = contact.get("contact", contact)["tags"]
    return tags


async def waiting_run(
    actor: Actor, jobs: JobRuntime, then: dict[str, Any], hours: int = 2
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A CONTACT_CREATED workflow that WAITs `hours` and then does `then`, and the new contact
    whose run now waits: (workflow, contact)."""
    wait = {"type": "WAIT", "config": {"hours": hours}}
    workflow = await make_workflow(actor, actions=[wait, then])
    contact = await make_contact(actor)
    await settle(jobs)
    return workflow, contact
