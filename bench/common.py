"""Shared set-up for the benchmarks: a fresh migrated database, the app signed in, timing.

Every benchmark builds its own database (a temporary SQLite file, or a new database on the
PostgreSQL server named by `--database-url`, dropped afterwards unless `--keep`), so figures
never depend on what an earlier run left behind.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from kindred.app import create_app
from kindred.core.db import migrate
from kindred.core.db.engine import build_engine
from kindred.settings import Settings, normalise_database_url

PASSWORD = "bench-password-1"


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server database to create the bench database next to "
        "(e.g. postgresql://postgres@127.0.0.1:5432/test); default: a temporary SQLite file",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    return parser


async def _admin(server_url: str, statement: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@asynccontextmanager
async def fresh_database(server_url: str | None, keep: bool) -> AsyncIterator[Settings]:
    """Settings for a new, migrated, empty database (removed at the end unless `keep`)."""
    workdir = Path(tempfile.mkdtemp(prefix="kindred-bench-"))
    name = f"kindred_bench_{uuid.uuid4().hex[:10]}"
    if server_url:
        server_url = normalise_database_url(server_url)
        await _admin(server_url, f'CREATE DATABASE "{name}"')
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite+aiosqlite:///{workdir / name}.db"
    settings = await _migrated(url, workdir)
    print(f"database: {url if keep else url.split('/')[-1]} ({make_url(url).get_backend_name()})")
    try:
        yield settings
    finally:
        if server_url and not keep:
            await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def bench_database(
    stack: AsyncExitStack, parser: argparse.ArgumentParser, args: argparse.Namespace
) -> Settings:
    """The database `--reuse` names (a `--keep` run's), else a fresh one next to `--database-url`.

    For a bench parser that added `--reuse`; a fresh database lives as long as `stack`.
    """
    if args.reuse:
        return await kept_database(args.reuse)
    if not args.database_url:
        parser.error("--database-url (PostgreSQL) or --reuse is required")
    return await stack.enter_async_context(fresh_database(args.database_url, args.keep))


async def kept_database(url: str) -> Settings:
    """Settings for a database an earlier `--keep` run left, upgraded to the current heads."""
    settings = await _migrated(normalise_database_url(url), Path(tempfile.mkdtemp()))
    print(f"database: {settings.database_url} (reused)")
    return settings


async def _migrated(url: str, workdir: Path) -> Settings:
    settings = Settings(
        database_url=url,
        data_dir=workdir,
        job_dispatch="manual",
        run_scheduler=False,
        redis_url=None,
        rate_limit_enabled=False,
        metrics_enabled=False,
        log_format="text",
    )
    engine = build_engine(settings)
    async with engine.begin() as connection:
        await connection.run_sync(migrate.upgrade_on)
    await engine.dispose()
    return settings


@dataclass
class SignedIn:
    """The running app, a client with a Bearer API key, and its workspace id."""

    app: FastAPI
    client: httpx.AsyncClient
    workspace_id: uuid.UUID
    user_id: uuid.UUID


def client_for(app: FastAPI, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", headers=headers
    )


async def sign_up(app: FastAPI, business: str) -> SignedIn:
    """A new account and workspace through the API; a client authenticated by an API key."""
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    async with client_for(app) as anonymous:
        body = {"name": "Bench", "email": email, "password": PASSWORD}
        signed = await anonymous.post("/api/signup", json=body | {"businessName": business})
        signed.raise_for_status()
    ids = signed.json()
    return await sign_in(app, email, uuid.UUID(ids["workspaceId"]), uuid.UUID(ids["userId"]))


async def sign_in(
    app: FastAPI, email: str, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> SignedIn:
    """A client with a new API key for a user `sign_up` created (in this run or a kept one)."""
    async with client_for(app) as anonymous:
        signin = {"email": email, "password": PASSWORD}
        (await anonymous.post("/api/auth/signin", json=signin)).raise_for_status()
        key = await anonymous.post("/api/api-keys", json={"name": "bench"})
        key.raise_for_status()
    client = client_for(app, authorization=f"Bearer {key.json()['rawKey']}")
    return SignedIn(app, client, workspace_id, user_id)


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


class Stopwatch:
    """`with Stopwatch() as watch:` ... `watch.seconds`."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *_exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def percentiles(samples_ms: Sequence[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return statistics.median(samples_ms), cuts[94]
