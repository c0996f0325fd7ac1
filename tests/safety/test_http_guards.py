"""HTTP guards on every response: security headers, CORS, request ids, body size limits,
and errors that say nothing internal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from kindred.core.db.session import DbSession
from tests.conftest import client_for
from tests.databases import POSTGRES_URL
from tests.factories import PASSWORD, signup
from tests.safety.fresh_apps import AppFactory

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _assert_secure(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-request-id"]


def _add_failing_route(app: FastAPI) -> None:
    async def broken(session: DbSession) -> None:
        await session.execute(text("SELECT secret_column FROM no_such_table"))

    app.add_api_route("/api/test-broken", broken, methods=["GET"])


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/health"), ("GET", "/api/nowhere"), ("GET", "/api/api-keys"), ("GET", "/docs")],
)
async def test_every_response_carries_security_headers(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    _assert_secure(await client.request(method, path))


async def test_docs_policy_lets_swagger_load(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "https://cdn.jsdelivr.net" in response.headers["content-security-policy"]


async def test_hsts_only_over_https(app: FastAPI) -> None:
    async with client_for(app) as plain:
        assert "strict-transport-security" not in (await plain.get("/api/health")).headers
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as tls:
        assert "max-age=" in (await tls.get("/api/health")).headers["strict-transport-security"]


async def test_session_cookie_is_secure_over_https(app: FastAPI) -> None:
    owner = await signup(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as tls:
        response = await tls.post(
            "/api/auth/signin", json={"email": owner.email, "password": PASSWORD}
        )
    assert "secure" in response.headers["set-cookie"].lower()


async def test_cors_is_closed_by_default(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/api/health",
        headers={"origin": "https://evil.example", "access-control-request-method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers


async def test_cors_allows_configured_origins_only(make_app: AppFactory) -> None:
    app = await make_app(cors_origins=["https://app.example.com"])
    async with client_for(app) as client:
        allowed = await client.get("/api/health", headers={"origin": "https://app.example.com"})
        other = await client.get("/api/health", headers={"origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in other.headers


async def test_request_id_is_echoed_when_given(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health", headers={"x-request-id": "abc-123.trace"})
    assert response.headers["x-request-id"] == "abc-123.trace"


@pytest.mark.parametrize("given", [None, "has spaces", "x" * 200])
async def test_request_id_is_generated_when_missing_or_unusable(
    client: httpx.AsyncClient, given: str | None
) -> None:
    headers = {"x-request-id": given} if given else {}
    response = await client.get("/api/health", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_body_over_the_limit_is_413(make_app: AppFactory) -> None:
    app = await make_app(max_body_bytes=400)
    owner = await signup(app)
    response = await owner.client.post("/api/api-keys", json={"name": "x" * 500})
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert (await owner.client.get("/api/api-keys")).json() == []


async def test_streamed_body_over_the_limit_is_413(make_app: AppFactory) -> None:
    app = await make_app(max_body_bytes=400)
    owner = await signup(app)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(50):
            yield b"x" * 10
        yield b'"}'

    response = await owner.client.post(
        "/api/api-keys", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert (await owner.client.get("/api/api-keys")).json() == []


async def test_imports_have_their_own_larger_limit(make_app: AppFactory) -> None:
    app = await make_app(max_body_bytes=400, max_import_body_bytes=10_000)
    owner = await signup(app)
    body = {"contacts": [{"email": f"c{i}@example.com"} for i in range(30)]}
    response = await owner.client.post("/api/contacts/import", json=body)
    assert response.status_code != 413


async def test_nul_in_query_string_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health?x=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


async def test_database_errors_say_nothing_internal(make_app: AppFactory) -> None:
    app = await make_app()
    _add_failing_route(app)
    async with client_for(app) as client:
        response = await client.get("/api/test-broken")
    assert response.status_code == 500
    assert response.json()["code"] == "INTERNAL_ERROR"
    for leak in ("SELECT", "no_such_table", "secret_column", "Traceback", "sqlalchemy"):
        assert leak not in response.text
    _assert_secure(response)


@pytest.mark.postgres_only
@pytest.mark.skipif(not POSTGRES_URL, reason="statement_timeout is PostgreSQL's")
async def test_postgres_statements_time_out(make_app: AppFactory) -> None:
    app = await make_app(statement_timeout_ms=200)
    async with app.state.database.session_scope() as session:
        assert (await session.scalar(text("SHOW statement_timeout"))) == "200ms"
    with pytest.raises(Exception, match="statement timeout"):
        async with app.state.database.session_scope() as session:
            await session.execute(text("SELECT pg_sleep(2)"))
