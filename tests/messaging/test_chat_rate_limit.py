"""The public web-chat endpoints share the stricter per-IP budget of public paths."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from kindred.settings import Settings
from tests.databases import DatabaseFactory
from tests.factories import signup
from tests.messaging.helpers import settings_with

BUDGET = 3
VISITOR_IP = "203.0.113.7"  # not the address the actor signed up from


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return await settings_with(
        databases,
        tmp_path_factory,
        rate_limit_public_per_ip=BUDGET,
        rate_limit_window_seconds=86_400,
    )


async def test_visitor_is_limited_per_ip(app: FastAPI) -> None:
    actor = await signup(app)
    path = f"/api/chat/{actor.workspace_id}/conversations"
    transport = httpx.ASGITransport(app=app, client=(VISITOR_IP, 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as visitor:
        statuses = [
            (await visitor.post(path, json={"message": "hi"})).status_code for _ in range(4)
        ]
    assert statuses == [201] * BUDGET + [429]
