"""Observability: Prometheus metrics, JSON logs with request ids, access log fields."""

from __future__ import annotations

import json
import logging
import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core import context
from kindred.core.db.session import Database
from kindred.core.jobs import enqueue, task
from kindred.core.jobs.runtime import JobRuntime
from kindred.core.logs import JsonFormatter
from kindred.core.metrics import PROVIDER_ERRORS
from tests.conftest import client_for
from tests.factories import signup
from tests.safety.fresh_apps import AppFactory

METRICS_TOKEN = "scrape-" + uuid.uuid4().hex


@task("safety.probe_metrics")
async def probe_metrics(session: AsyncSession, fail: bool) -> None:
    if fail:
        raise RuntimeError("probe failure")


async def _metrics(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient,
) -> None:
    await client.delete(f"/api/api-keys/{uuid.uuid4()}")
    text = await _metrics(client)
    assert (
        'kindred_http_requests_total{method="DELETE",route="/api/api-keys/{key_id}",status="401"}'
        in text
    )
    assert (
        'kindred_http_request_duration_seconds_bucket{le="0.005",method="DELETE",'
        'route="/api/api-keys/{key_id}"}' in text
    )


async def test_unknown_paths_share_one_label(client: httpx.AsyncClient) -> None:
    await client.get(f"/nowhere/{uuid.uuid4()}")
    text = await _metrics(client)
    assert 'route="unmatched",status="404"' in text
    assert "/nowhere/" not in text


async def test_queue_depth_and_task_outcomes_are_exported(
    client: httpx.AsyncClient, database: Database, jobs: JobRuntime
) -> None:
    async with database.session_scope() as session:
        await enqueue(session, "safety.probe_metrics", fail=False)
        await enqueue(session, "safety.probe_metrics", fail=True, max_attempts=1)
    waiting = await _metrics(client)
    await jobs.runner.run_due()
    text = await _metrics(client)
    assert 'kindred_jobs{state="waiting"}' in waiting
    assert 'kindred_task_runs_total{outcome="succeeded",task="safety.probe_metrics"}' in text
    assert 'kindred_task_runs_total{outcome="failed",task="safety.probe_metrics"}' in text


async def test_provider_errors_counter_is_exported(client: httpx.AsyncClient) -> None:
    PROVIDER_ERRORS.labels("sandbox", "send_probe").inc()
    text = await _metrics(client)
    assert 'kindred_provider_errors_total{operation="send_probe",provider="sandbox"} ' in text


async def test_metrics_can_be_switched_off(make_app: AppFactory) -> None:
    app = await make_app(metrics_enabled=False)
    async with client_for(app) as client:
        assert (await client.get("/metrics")).status_code == 404


async def test_metrics_need_the_configured_bearer_token(make_app: AppFactory) -> None:
    app = await make_app(metrics_token=METRICS_TOKEN)
    async with client_for(app) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    for refused in (missing, wrong):
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"] == "Bearer"
        assert (refused.json()["code"], refused.json()["status"]) == ("UNAUTHORIZED", 401)
    assert right.status_code == 200
    assert "kindred_http_requests_total" in right.text


async def test_metrics_without_a_token_are_hidden_in_production(make_app: AppFactory) -> None:
    app = await make_app(environment="production")
    async with client_for(app) as client:  # even from the loopback interface
        response = await client.get("/metrics")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


async def test_metrics_without_a_token_answer_loopback_clients_only(
    make_app: AppFactory,
) -> None:
    app = await make_app()
    remote = httpx.ASGITransport(app=app, client=("203.0.113.9", 40_000))
    async with httpx.AsyncClient(transport=remote, base_url="http://testserver") as client:
        assert (await client.get("/metrics")).status_code == 404
    async with client_for(app) as local:  # the ASGI transport's client is 127.0.0.1
        assert (await local.get("/metrics")).status_code == 200


def test_log_lines_are_json_with_the_request_id() -> None:
    token = context.begin("req-42")
    try:
        record = logging.makeLogRecord(
            {"name": "kindred.test", "levelname": "INFO", "msg": "hello %s", "args": ("you",)}
        )
        line = json.loads(JsonFormatter().format(record))
    finally:
        context.end(token)
    assert line["message"] == "hello you"
    assert line["request_id"] == "req-42"
    assert line["level"] == "info"


async def test_access_log_names_request_actor_and_route(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    owner = await signup(app)
    with caplog.at_level(logging.INFO, logger="kindred.access"):
        response = await owner.client.get("/api/api-keys", headers={"x-request-id": "trace-7"})
    record = next(r for r in caplog.records if getattr(r, "request_id", None) == "trace-7")
    assert response.status_code == 200
    fields = record.__dict__
    assert (fields["route"], fields["status"]) == ("/api/api-keys", 200)
    assert (fields["user_id"], fields["workspace_id"]) == (owner.user_id, owner.workspace_id)
