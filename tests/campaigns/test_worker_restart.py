"""Exactly once across a real crash: `kindred worker` processes on PostgreSQL and Redis, one
SIGKILLed in the middle of a campaign batch, two fresh ones finishing the campaign.

The in-process app (publishing its jobs to Redis here) signs up, imports the audience and
queues the send; every recipient is sent by the worker subprocesses alone. The kill is made
to land mid-batch every time: the worker is frozen (SIGSTOP) while the database is read, and
killed only when it holds a claimed campaign job with part of the audience already sent.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from fastapi import FastAPI
from sqlalchemy import func, select

from kindred.campaigns.models import Campaign, CampaignRecipient
from kindred.contacts.models import Contact
from kindred.core.db.session import Database
from kindred.core.jobs import Job
from kindred.messaging.models import Direction, Message, MessageStatus, SandboxMessage
from kindred.settings import Settings, normalise_database_url
from tests.campaigns.helpers import create, make_contact
from tests.databases import POSTGRES_URL, REDIS_URL, DatabaseFactory
from tests.factories import Actor, signup
from tests.messaging.helpers import settings_with

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not (POSTGRES_URL and normalise_database_url(POSTGRES_URL).startswith("postgresql"))
        or not REDIS_URL,
        reason="kills real worker processes: needs KINDRED_TEST_DATABASE_URL (PostgreSQL) "
        "and KINDRED_TEST_REDIS_URL",
    ),
]

READERS = 3000  # imported with an email: sent to
BANNED = 20  # imported with an email, then banned
NO_EMAIL = 30  # imported with a phone only
UNSUBSCRIBED = 20  # created globally unsubscribed
REFUSALS = ("NO_ADDRESS", "RECIPIENT_BANNED", "RECIPIENT_UNSUBSCRIBED")
# A killed worker's job is taken back by the scheduler tick once its lease has run out.
WORKER_KNOBS = {"KINDRED_JOB_LEASE_SECONDS": "5", "KINDRED_SCHEDULER_INTERVAL_SECONDS": "0.5"}
SETTLE_SECONDS = 0.3  # for commits a frozen worker had already sent to reach the database
FINISH_SECONDS = 120


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    """The module's app publishes jobs to its own Redis stream, which the workers consume."""
    queue = f"kindred-test-{uuid.uuid4().hex}"
    yield await settings_with(
        databases, tmp_path_factory, redis_url=REDIS_URL, job_dispatch="redis", job_queue_name=queue
    )
    client = aioredis.from_url(REDIS_URL or "")
    await client.delete(queue)
    await client.aclose()


def worker_environment(settings: Settings) -> dict[str, str]:
    """The test process's environment without its Kindred settings, plus the app's own."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("KINDRED_") and name not in ("DATABASE_URL", "REDIS_URL")
    }
    return {
        **inherited,
        **WORKER_KNOBS,
        "KINDRED_DATABASE_URL": settings.resolved_database_url,
        "KINDRED_REDIS_URL": settings.redis_url or "",
        "KINDRED_JOB_QUEUE_NAME": settings.job_queue_name,
        "KINDRED_DATA_DIR": str(settings.data_dir),  # the same secrets key as the app
        "KINDRED_ENVIRONMENT": "test",
        "KINDRED_DELIVERY_MODE": "sandbox",
    }


@dataclass
class Workers:
    """`kindred worker` subprocesses, each logging to its own file."""

    environment: dict[str, str]
    directory: Path
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *, scheduler: bool) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "kindred.cli", "worker"]
        with (self.directory / f"worker-{len(self.started)}.log").open("wb") as log:
            process = subprocess.Popen(
                command + (["--scheduler"] if scheduler else []),
                env=self.environment,
                cwd=self.directory,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()  # SIGKILL also ends a stopped process
            process.wait(timeout=30)

    def logs(self) -> str:
        """The last warnings and errors of every worker, for failure messages."""
        tails = []
        for path in sorted(self.directory.glob("worker-*.log")):
            lines = path.read_text(errors="replace").splitlines()
            notable = [line for line in lines if not line.startswith("INFO:")]
            tails.append(f"--- {path.name}\n" + "\n".join(notable[-20:]))
        return "\n".join(tails)


@pytest.fixture
def workers(settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(worker_environment(settings), tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


@dataclass(frozen=True)
class Progress:
    """The campaign as the database has it: status, SENT rows, and its jobs by status."""

    status: str
    sent: int
    jobs: dict[str, int]


async def progress(database: Database, campaign_id: uuid.UUID) -> Progress:
    async with database.session_scope() as session:
        campaign = await session.get(Campaign, campaign_id, populate_existing=True)
        assert campaign is not None
        sent = await session.scalar(
            select(func.count()).where(
                CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status == "SENT"
            )
        )
        jobs = await session.execute(
            select(Job.status, func.count())
            .where(Job.workspace_id == campaign.workspace_id, Job.name.startswith("campaigns."))
            .group_by(Job.status)
        )
        return Progress(campaign.status, int(sent or 0), {status: int(n) for status, n in jobs})


async def seed_audience(actor: Actor) -> dict[str, str]:
    """Imports the audience and bans and unsubscribes some of it; each email -> the outcome
    expected for its contact (the NO_EMAIL phone-only contacts are not listed)."""
    readers = [f"reader{n}-{uuid.uuid4().hex[:8]}@example.com" for n in range(READERS + BANNED)]
    rows: list[dict[str, Any]] = [{"firstName": f"R{n}", "email": e} for n, e in enumerate(readers)]
    rows += [{"firstName": f"P{n}", "phone": f"+1202555{n:04d}"} for n in range(NO_EMAIL)]
    imported = await actor.client.post("/api/contacts/import", json={"rows": rows})
    assert imported.status_code == 200, imported.text
    expected = dict.fromkeys(readers[:READERS], "SENT")
    for email in readers[READERS:]:
        banned = await actor.client.post("/api/auth/banned", json={"email": email})
        assert banned.status_code == 200, banned.text
        expected[email] = "RECIPIENT_BANNED"
    for _ in range(UNSUBSCRIBED):
        contact = await make_contact(actor, globallyUnsubscribed=True)
        expected[contact["email"]] = "RECIPIENT_UNSUBSCRIBED"
    return expected


async def wait_for(
    database: Database,
    campaign_id: uuid.UUID,
    done: Callable[[Progress], bool],
    seconds: float,
    workers: Workers,
) -> Progress:
    deadline = asyncio.get_running_loop().time() + seconds
    while not done(seen := await progress(database, campaign_id)):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out at {seen}\n{workers.logs()}")
        await asyncio.sleep(0.05)
    return seen


def mid_batch(seen: Progress) -> bool:
    """Part of the audience sent, and a campaign job claimed by a worker and not finished."""
    return seen.status == "SENDING" and 0 < seen.sent < READERS and seen.jobs.get("running", 0) > 0


def caught_or_over(seen: Progress) -> bool:
    return mid_batch(seen) or seen.status != "SENDING"


async def kill_mid_batch(
    worker: subprocess.Popen[bytes], database: Database, campaign_id: uuid.UUID, workers: Workers
) -> None:
    """SIGKILLs the worker while it holds a claimed campaign job, part of the audience sent.

    The worker is frozen to read the database; when it was between jobs it is thawed and
    caught again a moment later.
    """
    for _ in range(100):
        seen = await wait_for(database, campaign_id, caught_or_over, 60, workers)
        assert seen.status == "SENDING", f"the campaign ended before the kill: {seen}"
        os.kill(worker.pid, signal.SIGSTOP)
        await asyncio.sleep(SETTLE_SECONDS)
        if mid_batch(await progress(database, campaign_id)):
            worker.kill()
            worker.wait(timeout=30)
            return
        os.kill(worker.pid, signal.SIGCONT)
    raise AssertionError(f"never froze the worker mid-batch\n{workers.logs()}")


async def outcomes(database: Database, campaign_id: uuid.UUID) -> dict[str | None, list[str]]:
    """Each recipient row's outcome by the contact's email: SENT, the code a SKIPPED row's
    reason names, else the raw status and reason."""

    def outcome(status: str, reason: str | None) -> str:
        named = [code for code in REFUSALS if status == "SKIPPED" and code in (reason or "")]
        return named[0] if named else status if status == "SENT" else f"{status} {reason}"

    async with database.session_scope() as session:
        rows = await session.execute(
            select(Contact.email, CampaignRecipient.status, CampaignRecipient.reason)
            .join(Contact, Contact.id == CampaignRecipient.contact_id)
            .where(CampaignRecipient.campaign_id == campaign_id)
        )
        found: dict[str | None, list[str]] = {}
        for email, status, reason in rows:
            found.setdefault(email, []).append(outcome(status, reason))
        return found


async def deliveries(
    database: Database, workspace_id: str
) -> tuple[Counter[str | None], Counter[uuid.UUID], Counter[str]]:
    """Outbound messages not refused counted by their contact's email, all outbound messages
    counted by contact, and sandbox captures counted by address."""
    workspace = uuid.UUID(workspace_id)
    async with database.session_scope() as session:
        messages = (
            await session.execute(
                select(Contact.id, Contact.email, Message.status)
                .join(Contact, Contact.id == Message.contact_id)
                .where(
                    Message.workspace_id == workspace,
                    Message.direction == Direction.OUTBOUND.value,
                )
            )
        ).all()
        captures = await session.scalars(
            select(SandboxMessage.to_address).where(SandboxMessage.workspace_id == workspace)
        )
        sent = Counter(email for _, email, status in messages if status != MessageStatus.FAILED)
        return sent, Counter(contact for contact, _, _ in messages), Counter(captures)


async def assert_sent_exactly_once(
    actor: Actor, database: Database, campaign_id: uuid.UUID, expected: dict[str, str]
) -> None:
    """One message and one capture per contact to send to, none for the others, every row
    final with its reason, and the campaign's counters equal to the rows."""
    rows = await outcomes(database, campaign_id)
    assert rows == {email: [code] for email, code in expected.items()} | {
        None: ["NO_ADDRESS"] * NO_EMAIL
    }
    sent_to = Counter(email for email, code in expected.items() if code == "SENT")
    sent, every_message, captures = await deliveries(database, actor.workspace_id)
    assert sent == sent_to
    assert max(every_message.values()) == 1  # no contact has a second message, refused or not
    assert captures == sent_to
    done = (await actor.client.get(f"/api/campaigns/{campaign_id}")).json()
    counters = ("recipientsCount", "sentCount", "skippedCount", "failedCount")
    skipped = BANNED + NO_EMAIL + UNSUBSCRIBED
    assert [done[name] for name in counters] == [READERS + skipped, READERS, skipped, 0]


async def test_a_worker_killed_mid_campaign_and_replaced_sends_each_contact_exactly_once(
    app: FastAPI, database: Database, workers: Workers
) -> None:
    actor = await signup(app)
    expected = await seed_audience(actor)
    campaign = await create(actor)
    campaign_id = uuid.UUID(campaign["id"])
    queued = await actor.client.post(f"/api/campaigns/{campaign_id}/send")
    assert queued.status_code == 200, queued.text
    assert queued.json()["recipients"] == READERS + BANNED + NO_EMAIL + UNSUBSCRIBED

    first = workers.start(scheduler=True)
    await kill_mid_batch(first, database, campaign_id, workers)
    at_kill = await progress(database, campaign_id)  # no worker is alive now
    assert first.returncode == -signal.SIGKILL
    assert mid_batch(at_kill), at_kill

    replacements = [workers.start(scheduler=True), workers.start(scheduler=False)]
    # Every campaign job succeeded: the dead worker's too, taken back once their lease ran out.
    await wait_for(
        database,
        campaign_id,
        lambda seen: seen.status == "SENT" and set(seen.jobs) == {"succeeded"},
        FINISH_SECONDS,
        workers,
    )
    assert [worker.poll() for worker in replacements] == [None, None], workers.logs()
    await assert_sent_exactly_once(actor, database, campaign_id, expected)
