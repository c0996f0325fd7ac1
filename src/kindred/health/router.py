"""Health routes: public, cheap, and honest about what is not configured."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kindred.core.db import utcnow
from kindred.core.db.session import DbSession
from kindred.health import service
from kindred.health.schemas import HealthRead

router = APIRouter(prefix="/api/health", tags=["health"])


def _uptime(request: Request) -> float:
    started: float = request.app.state.started_at
    return round(time.monotonic() - started, 3)


def _respond(request: Request, name: str, check: service.Check, **extra: object) -> JSONResponse:
    body = HealthRead(
        service=name,
        status=check.status,
        timestamp=utcnow(),
        uptime=_uptime(request),
        error=check.error,
        message=check.message,
        **extra,
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=200 if check.ok else 503
    )


@router.get("", response_model=HealthRead, summary="Application liveness")
async def app_health(request: Request) -> JSONResponse:
    return _respond(request, "app", service.Check(True, "OK"))


@router.get("/database", response_model=HealthRead, summary="Database connection health")
async def database_health(request: Request, session: DbSession) -> JSONResponse:
    return _respond(request, "database", await service.check_database(session))


@router.get("/redis", response_model=HealthRead, summary="Redis connection health")
async def redis_health(request: Request) -> JSONResponse:
    return _respond(
        request, "redis", await service.check_redis(request.app.state.settings.redis_url)
    )


@router.get("/queue", response_model=HealthRead, summary="Job queue health and statistics")
async def queue_health(request: Request, session: DbSession) -> JSONResponse:
    check, stats = await service.check_queue(session)
    return _respond(request, "queue", check, queue_stats=stats, mode=request.app.state.jobs.mode)
