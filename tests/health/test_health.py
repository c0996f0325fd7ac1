"""Health checks (document 003 shapes)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from kindred.app import create_app
from kindred.settings import Settings
from tests.conftest import client_for
from tests.databases import REDIS_URL


async def test_app_health_is_public_and_ok(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/health")).json()
    assert body["service"] == "app"
    assert body["status"] == "OK"
    assert body["timestamp"].endswith("Z")
    assert body["uptime"] >= 0


async def test_database_health_runs_a_query(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health/database")
    assert response.status_code == 200
    assert response.json()["status"] == "OK"


async def test_redis_health_without_redis_says_not_configured(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health/redis")
    assert response.status_code == 200
    assert response.json()["status"] == "NOT_CONFIGURED"
    assert "not configured" in response.json()["message"]


async def test_queue_health_reports_the_four_counters(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/health/queue")).json()
    assert body["status"] == "OK"
    assert set(body["queueStats"]) == {"active", "completed", "failed", "waiting"}


async def test_unreachable_redis_is_a_503_without_internals(settings: Settings) -> None:
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    app = create_app(broken.model_copy(update={"job_dispatch": "manual"}))
    async with app.router.lifespan_context(app), client_for(app) as client:
        response = await client.get("/api/health/redis")
    assert response.status_code == 503
    assert response.json()["status"] == "ERROR"
    assert "Traceback" not in response.text


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs KINDRED_TEST_REDIS_URL")
async def test_reachable_redis_is_ok(settings: Settings) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"redis_url": REDIS_URL}))
    async with app.router.lifespan_context(app), client_for(app) as client:
        response = await client.get("/api/health/redis")
    assert response.status_code == 200
    assert response.json()["status"] == "OK"
