"""Apps with their own settings (low limits, CORS…) on a fresh database, started and stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from fastapi import FastAPI

from kindred.app import create_app
from tests.conftest import make_settings
from tests.databases import DatabaseFactory

AppFactory = Callable[..., Awaitable[FastAPI]]


@pytest.fixture
async def make_app(databases: DatabaseFactory, tmp_path: Path) -> AsyncIterator[AppFactory]:
    async with AsyncExitStack() as stack:

        async def factory(**overrides: object) -> FastAPI:
            settings = make_settings(await databases.fresh(), tmp_path, **overrides)
            app = create_app(settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            stack.push_async_callback(app.state.rate_limiter.close)
            return app

        yield factory
