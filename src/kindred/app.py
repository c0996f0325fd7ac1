"""create_app(): middleware, error handlers, lifespan (database, jobs) and every router."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import kindred.models
import kindred.tasks  # noqa: F401 - registers every task before the broker starts
from kindred import __version__
from kindred.core import discovery
from kindred.core.db.session import Database
from kindred.core.errors import install_error_handlers
from kindred.core.idempotency.middleware import IdempotencyMiddleware
from kindred.core.jobs.runtime import JobRuntime
from kindred.core.middleware import install_middleware
from kindred.settings import Settings, get_settings

API_DESCRIPTION = """Kindred's REST API. Authenticate with the session cookie from
`POST /api/auth/signin`, with `Authorization: Bearer pai_…`, or with `x-api-key` plus
`x-organization-id`. `X-Workspace-Id` selects a workspace you are a member of."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database.from_settings(settings)
        jobs = JobRuntime(database, settings)
        app.state.database = database
        app.state.jobs = jobs
        run_scheduler = settings.run_scheduler
        if run_scheduler is None:
            run_scheduler = jobs.mode == "inprocess"
        await jobs.start(scheduler=run_scheduler)
        try:
            yield
        finally:
            await jobs.stop()
            await database.dispose()

    app = FastAPI(
        title="Kindred",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.started_at = time.monotonic()
    install_error_handlers(app)
    # Innermost (added first): rate limits and the body-size guard apply before a key is claimed.
    app.add_middleware(IdempotencyMiddleware)
    install_middleware(app, settings)
    for router in discovery.routers():
        app.include_router(router)
    return app
