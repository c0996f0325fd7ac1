"""Webhook delivery: N events to 3 endpoints on a local receiver, one failing half its calls.

The receiver (`bench/webhook_receiver.py`) is a real HTTP server on 127.0.0.1 in its own process.
Events are emitted in transactions of 100 while `--workers` job-runner loops (what `kindred
worker` processes do) run the dispatch and delivery jobs as they come due: a loop that finds
nothing due waits for the next commit, never on a timer. Retries of the failing endpoint are then
brought forward by running the retry scanner at a simulated `now` (the schedule's real waits,
5 s then minutes to hours, are skipped and not counted in the latencies).

Reports successful deliveries per second (from the first emit to the last receipt) and p50/p95
latency from the event's commit to its first successful receipt, for every delivery and for the
two healthy endpoints alone.

    python -m bench.webhooks_delivery [--events 10000] [--workers N] [--database-url postgresql://…]
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI

from bench.common import base_parser, fresh_database, percentiles, running_app, sign_up
from kindred.core.db import utcnow
from kindred.core.events import emit
from kindred.core.jobs.runtime import JobRuntime
from kindred.webhooks.tasks import deliver_due

TRANSACTION = 100
CONTACTS = 1000
ENDPOINTS = 3
FLAKY = 2
RETRY_ROUNDS = 12


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def receiver_process() -> Iterator[str]:
    """The receiver's base URL while its process runs."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.webhook_receiver:app"]
    options = ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    env = os.environ | {"BENCH_FLAKY": str(FLAKY)}
    process = subprocess.Popen([*command, *options, "--no-access-log"], env=env)
    try:
        _wait_listening(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


def _wait_listening(port: int) -> None:
    for _attempt in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("the receiver did not start")


class Pipeline:
    """Producer and job-runner loops on one event loop; a commit wakes idle runners."""

    def __init__(self, app: FastAPI, workspace_id: uuid.UUID) -> None:
        self.app, self.workspace_id = app, workspace_id
        self.jobs: JobRuntime = app.state.jobs
        self.wake = asyncio.Event()
        self.producing = True
        self.committed: dict[str, float] = {}

    async def produce(self, count: int) -> None:
        contacts = [uuid.uuid4() for _ in range(CONTACTS)]
        for start in range(0, count, TRANSACTION):
            ids = []
            async with self.app.state.database.session_scope() as session:
                for number in range(start, min(start + TRANSACTION, count)):
                    contact_id = contacts[number % CONTACTS]
                    data = {"id": str(contact_id), "firstName": f"C{number}", "tags": []}
                    event = await emit(
                        session,
                        workspace_id=self.workspace_id,
                        type="contact.updated",
                        data=data,
                        contact_id=contact_id,
                    )
                    ids.append(str(event.id))
            self.committed.update(dict.fromkeys(ids, time.time()))
            self.wake.set()
        self.producing = False
        self.wake.set()

    async def work(self) -> None:
        """Runs due jobs; when none is due, waits for the producer's next commit."""
        while True:
            self.wake.clear()
            if await self.jobs.runner.run_due() == 0:
                if not self.producing:
                    return
                await self.wake.wait()

    async def retry_round(self, round_: int) -> int:
        """Runs the retry scanner past the longest wait of the schedule; endpoints with due."""
        skew = timedelta(seconds=6) + timedelta(hours=11) * round_
        async with self.jobs.database.session_scope() as session:
            due = await deliver_due(session, utcnow() + skew)
        await self.jobs.runner.run_due()
        return due

    async def run(self, count: int, workers: int) -> None:
        await asyncio.gather(self.produce(count), *(self.work() for _ in range(workers)))
        for round_ in range(RETRY_ROUNDS):
            if not await self.retry_round(round_):
                return


@asynccontextmanager
async def endpoints_app(
    base_url: str, settings_url: str | None, keep: bool
) -> AsyncIterator[tuple[FastAPI, uuid.UUID]]:
    async with fresh_database(settings_url, keep) as base:
        settings = base.model_copy(update={"allow_private_targets": True})
        async with running_app(settings) as app:
            owner = await sign_up(app, "Bench")
            for index in range(ENDPOINTS):
                body = {"url": f"{base_url}/hook/{index}", "events": ["*"]}
                (await owner.client.post("/api/webhook-endpoints", json=body)).raise_for_status()
            yield app, owner.workspace_id


Receipt = tuple[int, str, float]


def report(events: int, started: float, committed: dict[str, float], rows: list[Receipt]) -> None:
    latencies: dict[int, list[float]] = {index: [] for index in range(ENDPOINTS)}
    for index, event_id, at in rows:
        latencies[index].append((at - committed[event_id]) * 1000)
    every = [value for values in latencies.values() for value in values]
    healthy = [value for index, values in latencies.items() if index != FLAKY for value in values]
    elapsed = max(at for _index, _event_id, at in rows) - started
    print(f"{events} events x {ENDPOINTS} endpoints, one failing half: {len(every)} received")
    print(f"{len(every) / elapsed:.0f} deliveries/s end to end over {elapsed:.1f} s")
    for label, samples in (("every delivery", every), ("healthy endpoints", healthy)):
        p50, p95 = percentiles(samples)
        print(f"change-to-receipt latency, {label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms")


async def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument(
        "--workers", type=int, help="job-runner loops (default: 3 on PostgreSQL, 1 on SQLite)"
    )
    args = parser.parse_args()
    # SQLite has one writer: concurrent runners in one process only queue on its lock.
    workers = args.workers or (3 if args.database_url else 1)
    with receiver_process() as base_url:
        async with endpoints_app(base_url, args.database_url, args.keep) as (app, workspace_id):
            pipeline = Pipeline(app, workspace_id)
            started = time.time()
            await pipeline.run(args.events, workers)
        async with httpx.AsyncClient() as client:
            rows = [
                (int(n), str(i), float(t))
                for n, i, t in (await client.get(f"{base_url}/receipts")).json()
            ]
    report(args.events, started, pipeline.committed, rows)


if __name__ == "__main__":
    asyncio.run(main())
