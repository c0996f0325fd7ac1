"""Bad input corpus over every route that takes a body or pages: a clear 4xx in the common
error shape, never a 5xx, and nothing written."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kindred.core.db.session import Database
from kindred.core.permissions import Permission
from tests.conftest import client_for
from tests.safety.matrix import params_for
from tests.safety.probe import row_counts
from tests.safety.registry import Registry
from tests.safety.routes import Endpoint, current_endpoints
from tests.safety.tenants import Tenant

ENDPOINTS = current_endpoints()
BODY_ROUTES = [e for e in ENDPOINTS if e.method in ("POST", "PUT", "PATCH") and e.has_body]
# Platform-admin routes refuse a workspace admin before reading the query.
PAGED = [
    e
    for e in ENDPOINTS
    if e.method == "GET" and "page" in e.query_params and e.permission != Permission.PLATFORM_ADMIN
]
JSON = {"content-type": "application/json"}
METACHARACTERS = "'; DROP TABLE users; -- \" OR 1=1 {{7*7}} ${7*7} <%= 7*7 %> {% raw %}"

RAW_BODIES: dict[str, tuple[bytes, dict[str, str]]] = {
    "malformed_json": (b'{"name": ', JSON),
    "wrong_content_type": (b"name=x", {"content-type": "text/plain"}),
    "deeply_nested_json": (b"[" * 100_000 + b"]" * 100_000, JSON),
    "invalid_utf8": (b'{"name": "\xff\xfe\xfd"}', JSON),
    "over_10_mb": (b'{"name": "' + b"x" * (10 * 1024 * 1024 + 1) + b'"}', JSON),
}
QUERIES = {
    "huge_page": {"page": str(10**12)},
    "zero_page": {"page": "0"},
    "negative_limit": {"limit": "-5"},
    "huge_limit": {"limit": str(10**6)},
    "text_page_size": {"pageSize": "abc"},
    "nul_in_query": {"page": "1\x00"},
}


def _appended(item: Any, value: str) -> Any:
    if isinstance(item, str):
        return f"{item}{value}"
    if isinstance(item, dict):
        return {key: _appended(inner, value) for key, inner in item.items()}
    if isinstance(item, list):
        return [_appended(inner, value) for inner in item]
    return item


def _with_strings(registry: Registry, endpoint: Endpoint, value: str) -> Any:
    """The route's valid body with `value` appended to every string in it, however deep."""
    assert endpoint.key in registry.bodies, f"no body in any route_cases.py for {endpoint.key}"
    return _appended(registry.body_for(endpoint.key), value)


def _assert_clear_refusal(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    body = response.json()
    assert {"error", "code", "status", "details", "timestamp"} <= set(body)
    assert body["status"] == response.status_code


async def _client_and_url(
    endpoint: Endpoint, registry: Registry, tenant: Tenant, app: FastAPI
) -> tuple[httpx.AsyncClient, str]:
    params = params_for(endpoint, registry, tenant)
    client = client_for(app) if endpoint.key in registry.public else tenant.admin.client
    return client, endpoint.url(params)


@pytest.mark.parametrize("kind", sorted(RAW_BODIES))
@pytest.mark.parametrize("endpoint", BODY_ROUTES, ids=lambda e: e.key)
async def test_malformed_bodies_are_refused_and_write_nothing(
    app: FastAPI,
    database: Database,
    registry: Registry,
    tenant_a: Tenant,
    endpoint: Endpoint,
    kind: str,
) -> None:
    content, headers = RAW_BODIES[kind]
    client, url = await _client_and_url(endpoint, registry, tenant_a, app)
    before = await row_counts(database)
    response = await client.request(endpoint.method, url, content=content, headers=headers)
    _assert_clear_refusal(response)
    if kind == "over_10_mb":
        assert response.status_code == 413
    assert await row_counts(database) == before


@pytest.mark.parametrize("endpoint", BODY_ROUTES, ids=lambda e: e.key)
async def test_nul_bytes_in_strings_are_refused_and_write_nothing(
    app: FastAPI, database: Database, registry: Registry, tenant_a: Tenant, endpoint: Endpoint
) -> None:
    client, url = await _client_and_url(endpoint, registry, tenant_a, app)
    body = _with_strings(registry, endpoint, "a\x00b")
    before = await row_counts(database)
    response = await client.request(endpoint.method, url, content=json.dumps(body), headers=JSON)
    _assert_clear_refusal(response)
    assert await row_counts(database) == before


@pytest.mark.parametrize("endpoint", BODY_ROUTES, ids=lambda e: e.key)
async def test_sql_and_template_metacharacters_are_plain_text(
    app: FastAPI, registry: Registry, tenant_a: Tenant, endpoint: Endpoint
) -> None:
    client, url = await _client_and_url(endpoint, registry, tenant_a, app)
    body = _with_strings(registry, endpoint, METACHARACTERS)
    response = await client.request(endpoint.method, url, json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        _assert_clear_refusal(response)


@pytest.mark.parametrize("query", sorted(QUERIES))
@pytest.mark.parametrize("endpoint", PAGED, ids=lambda e: e.key)
async def test_bad_paging_is_a_clear_400(
    app: FastAPI, registry: Registry, tenant_a: Tenant, endpoint: Endpoint, query: str
) -> None:
    client, url = await _client_and_url(endpoint, registry, tenant_a, app)
    response = await client.get(url, params=QUERIES[query])
    _assert_clear_refusal(response)
    assert response.status_code == 400
