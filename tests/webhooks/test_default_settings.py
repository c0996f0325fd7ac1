"""With the default settings, endpoints must be public https URLs."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from kindred.settings import Settings
from tests.conftest import make_settings
from tests.databases import DatabaseFactory
from tests.factories import signup


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The defaults (this package's conftest allows private targets for its receiver)."""
    return make_settings(await databases.fresh(), tmp_path_factory.mktemp("data"))


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://2130706433/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "http://93.184.215.14/hook",
    ],
)
async def test_a_private_or_plain_http_endpoint_is_refused(app: FastAPI, url: str) -> None:
    actor = await signup(app)
    response = await actor.client.post("/api/webhook-endpoints", json={"url": url, "events": ["*"]})
    assert response.status_code == 400, response.text
    assert (await actor.client.get("/api/webhook-endpoints")).json() == {"endpoints": []}


async def test_a_public_https_endpoint_is_accepted(app: FastAPI) -> None:
    actor = await signup(app)
    body = {"url": "https://93.184.215.14/hook", "events": ["contact.created"]}
    response = await actor.client.post("/api/webhook-endpoints", json=body)
    assert response.status_code == 201, response.text
