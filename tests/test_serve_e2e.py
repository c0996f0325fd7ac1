"""The whole sign-in story against a real `kindred serve` process, over real HTTP.

Signup → signin → session → create key → use it both ways → revoke, on the database the
suite runs on (SQLite in a fresh data directory, or a fresh PostgreSQL database).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.databases import DatabaseFactory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base, timeout=1) as probe:
        while time.monotonic() < deadline:
            try:
                if (await probe.get("/api/health")).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.2)
    process.kill()
    pytest.fail(f"kindred serve did not start: {process.communicate()[0]!r}")


@pytest.fixture
async def served(databases: DatabaseFactory, tmp_path: Path) -> AsyncIterator[str]:
    """A `kindred serve` process on a free port with a fresh database; its base URL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KINDRED_", "DATABASE_URL", "REDIS_URL"))
    }
    env["KINDRED_DATA_DIR"] = str(tmp_path)
    if databases.server_url:
        env["DATABASE_URL"] = await databases.fresh()
    port = free_port()
    process = subprocess.Popen(  # noqa: ASYNC220 - starting the server does not block
        [sys.executable, "-m", "kindred.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_until_healthy(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_signup_signin_key_use_and_revoke_over_http(served: str) -> None:
    email = f"e2e-{time.time_ns()}@example.com"
    with httpx.Client(base_url=served, timeout=10) as browser:
        signup = browser.post(
            "/api/signup",
            json={"name": "Eve", "email": email, "password": "e2e-password", "businessName": "E2E"},
        )
        assert signup.status_code == 200, signup.text
        assert (
            browser.post(
                "/api/auth/signin", data={"email": email, "password": "e2e-password"}
            ).status_code
            == 200
        )
        session = browser.get("/api/auth/session").json()
        workspace_id = session["user"]["workspaceId"]
        key = browser.post("/api/api-keys", json={"name": "e2e"}).json()

        bearer = httpx.get(
            f"{served}/api/api-keys", headers={"authorization": f"Bearer {key['rawKey']}"}
        )
        assert bearer.status_code == 200
        agentvoice_headers = {"x-api-key": key["rawKey"], "x-organization-id": workspace_id}
        assert httpx.get(f"{served}/api/api-keys", headers=agentvoice_headers).status_code == 200

        assert browser.delete(f"/api/api-keys/{key['id']}").status_code == 200
        assert httpx.get(f"{served}/api/api-keys", headers=agentvoice_headers).status_code == 401
        assert browser.get("/openapi.json").json()["openapi"].startswith("3.1")
        assert browser.get("/docs").status_code == 200
