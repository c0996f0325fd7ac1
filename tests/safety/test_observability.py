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
