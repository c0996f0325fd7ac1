"""Shared fixtures: a migrated database and a running app per test module, HTTP clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kindred.app import create_app
from kindred.core.db.session import Database
from kindred.core.jobs.runtime import JobRuntime
from kindred.settings import Settings
from tests.databases import DatabaseFactory


@pytest.fixture(scope="session")
async def databases(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DatabaseFactory]:
    dbs = DatabaseFactory(workdir=tmp_path_factory.mktemp("databases"))
    await dbs.setup()
    yield dbs
    await dbs.teardown()


def make_settings(url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": url,
        "data_dir": data_dir,
        "environment": "test",
        "job_dispatch": "manual",
        "run_scheduler": False,
        "redis_url": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return make_settings(await databases.fresh(), tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def database(app: FastAPI) -> Database:
    db: Database = app.state.database
    return db


@pytest.fixture
def jobs(app: FastAPI) -> JobRuntime:
    runtime: JobRuntime = app.state.jobs
    return runtime


def client_for(app: FastAPI, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as anonymous:
        yield anonymous
