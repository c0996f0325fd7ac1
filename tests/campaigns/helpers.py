"""Shared steps of the campaign tests."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from kindred.campaigns import sending
from kindred.core.db import utcnow
from kindred.core.jobs.models import Job
from kindred.core.jobs.runtime import JobRuntime
from tests.factories import Actor, drop_field_definition
from tests.messaging.helpers import captured, make_contact

__all__ = [
    "campaign_on_a_deleted_field",
    "captured",
    "create",
    "due_send_jobs",
    "make_contact",
    "queued_send_jobs",
    "run_every_retry",
    "run_jobs",
    "send_campaign",
    "signed_link",
]

MAX_ATTEMPTS = 5  # a job's attempts before its give-up hook runs
SCORE_ABOVE_5 = {
    "match": "all",
    "conditions": [{"field": "customFields.score", "operator": "gt", "value": 5}],
}


async def create(actor: Actor, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Launch",
        "type": "EMAIL",
        "subject": "Hi {{contact.firstName|default('there')}}",
        "body": '<p>Hello {{contact.firstName}}</p><a href="https://example.com/a?x=1&y=2">go</a>',
    } | fields
    response = await actor.client.post("/api/campaigns", json=body)
    assert response.status_code == 201, response.text
    campaign: dict[str, Any] = response.json()
    return campaign


async def campaign_on_a_deleted_field(actor: Actor, scheduled_at: str) -> dict[str, Any]:
    """A scheduled campaign whose audience filter names a number field whose definition is
    gone since (dropped past the API's check), which makes the filter invalid (the field
    reads as text now, where `gt` is no operator)."""
    field = await actor.client.post(
        "/api/fields",
        json={"name": "score", "label": "Score", "fieldType": "number", "sortOrder": 1},
    )
    assert field.status_code == 201, field.text
    campaign = await create(actor, scheduledAt=scheduled_at, filter=SCORE_ABOVE_5)
    await drop_field_definition(actor, "score")
    return campaign


async def run_jobs(jobs: JobRuntime, later: int = 0) -> None:
    """Runs every due job, `later` hours from now (past any retry backoff)."""
    await jobs.runner.run_due(now=utcnow() + timedelta(hours=later) if later else None)


async def run_every_retry(jobs: JobRuntime) -> None:
    """Runs the jobs, then each retry as it falls due, until they succeed or give up."""
    for hours in range(MAX_ATTEMPTS + 1):
        await run_jobs(jobs, later=hours)


async def send_campaign(actor: Actor, jobs: JobRuntime, campaign_id: str) -> dict[str, object]:
    """Queues the campaign and runs its jobs; the queued answer."""
    queued = await actor.client.post(f"/api/campaigns/{campaign_id}/send")
    assert queued.status_code == 200, queued.text
    await run_jobs(jobs)
    return dict(queued.json())


async def queued_send_jobs(
    jobs: JobRuntime, campaign_id: str, *, due_only: bool = False
) -> list[uuid.UUID]:
    """The campaign's batch jobs waiting for a worker (only those due now if `due_only`): one
    per lane chain."""
    statement = select(Job.id, Job.payload).where(
        Job.name == sending.SEND_TASK, Job.status == "queued"
    )
    if due_only:
        statement = statement.where(Job.run_at <= utcnow())
    async with jobs.runner.database.session_scope() as session:
        found = await session.execute(statement)
        return [job.id for job in found if job.payload["campaign"] == campaign_id]


async def due_send_jobs(jobs: JobRuntime, campaign_id: str) -> list[uuid.UUID]:
    return await queued_send_jobs(jobs, campaign_id, due_only=True)


def signed_link(html: str, marker: str) -> str:
    """The URL of the first link in an email's HTML whose address contains `marker`."""
    start = html.index(marker)
    return html[html.rindex('"', 0, start) + 1 : html.index('"', start)].replace("&amp;", "&")
