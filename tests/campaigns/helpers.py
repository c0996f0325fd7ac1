"""Shared steps of the campaign tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kindred.core.db import utcnow
from kindred.core.jobs.runtime import JobRuntime
from tests.factories import Actor
from tests.messaging.helpers import captured, make_contact

__all__ = ["captured", "create", "make_contact", "run_jobs", "send_campaign", "signed_link"]


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


async def run_jobs(jobs: JobRuntime, later: int = 0) -> None:
    """Runs every due job, `later` hours from now (past any retry backoff)."""
    await jobs.runner.run_due(now=utcnow() + timedelta(hours=later) if later else None)


async def send_campaign(actor: Actor, jobs: JobRuntime, campaign_id: str) -> dict[str, object]:
    """Queues the campaign and runs its jobs; the queued answer."""
    queued = await actor.client.post(f"/api/campaigns/{campaign_id}/send")
    assert queued.status_code == 200, queued.text
    await run_jobs(jobs)
    return dict(queued.json())


def signed_link(html: str, marker: str) -> str:
    """The URL of the first link in an email's HTML whose address contains `marker`."""
    start = html.index(marker)
    return html[html.rindex('"', 0, start) + 1 : html.index('"', start)].replace("&amp;", "&")
