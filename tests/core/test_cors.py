"""A browser app on an allowed origin can read every response header the API sets for it."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from kindred.settings import Settings
from tests.conftest import make_settings
from tests.databases import DatabaseFactory
from tests.factories import signup

ORIGIN = "https://app.example.com"
FROM_ORIGIN = {"origin": ORIGIN}


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    data_dir = tmp_path_factory.mktemp("data")
    return make_settings(await databases.fresh(), data_dir, cors_origins=[ORIGIN])


def _readable(response: httpx.Response, *names: str) -> bool:
    """Whether the response carries each header and lets the browser app read it."""
    assert response.headers["access-control-allow-origin"] == ORIGIN
    exposed = response.headers.get("access-control-expose-headers", "")
    readable = {name.strip().lower() for name in exposed.split(",")}
    return all(name in response.headers and name in readable for name in names)


async def test_a_browser_app_reads_the_total_of_a_campaigns_recipients(app: FastAPI) -> None:
    actor = await signup(app)
    created = await actor.client.post("/api/campaigns", json={"name": "C", "body": "Hi"})
    assert created.status_code == 201, created.text
    emails = f"/api/campaigns/{created.json()['id']}/emails"
    response = await actor.client.get(emails, headers=FROM_ORIGIN)
    assert response.status_code == 200, response.text
    assert _readable(response, "x-total-count")


async def test_a_browser_app_reads_its_rate_limit_and_the_request_id(app: FastAPI) -> None:
    actor = await signup(app)
    response = await actor.client.get("/api/contacts", headers=FROM_ORIGIN)
    assert response.status_code == 200, response.text
    names = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-request-id")
    assert _readable(response, *names)


async def test_a_browser_app_can_tell_a_replayed_response(app: FastAPI) -> None:
    actor = await signup(app)
    headers = FROM_ORIGIN | {"Idempotency-Key": "cors-replay"}
    for _ in range(2):
        response = await actor.client.post("/api/api-keys", json={"name": "K"}, headers=headers)
        assert response.status_code == 201, response.text
    assert _readable(response, "idempotent-replayed")


async def test_a_browser_app_reads_the_file_name_of_an_export(app: FastAPI) -> None:
    actor = await signup(app)
    response = await actor.client.get("/api/contacts/export", headers=FROM_ORIGIN)
    assert response.status_code == 200, response.text
    assert _readable(response, "content-disposition")
