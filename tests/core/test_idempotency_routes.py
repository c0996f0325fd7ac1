"""Every POST route answers a repeated Idempotency-Key with its first response.

The cases come from `tests/<domain>/idempotency_cases.py` (see tests/idempotency_registry.py):
a POST route without an entry fails the first test, so a new route is covered by construction.
"""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI

from tests.factories import signup
from tests.idempotency_registry import Excluded, discover
from tests.safety.routes import endpoints

CASES = discover()
CALLED = sorted(path for path, case in CASES.items() if not isinstance(case, Excluded))


def post_routes(app: FastAPI) -> set[str]:
    return {endpoint.path for endpoint in endpoints(app) if endpoint.method == "POST"}


def test_every_post_route_has_an_idempotency_case(app: FastAPI) -> None:
    missing = sorted(post_routes(app) - CASES.keys())
    assert missing == [], "add these to tests/<domain>/idempotency_cases.py: " + ", ".join(missing)


def test_every_idempotency_case_names_a_real_post_route(app: FastAPI) -> None:
    assert sorted(CASES.keys() - post_routes(app)) == []


def test_exclusions_state_a_reason() -> None:
    assert all(case.reason.strip() for case in CASES.values() if isinstance(case, Excluded))


@pytest.mark.parametrize("route", CALLED)
async def test_post_route_replays_its_first_response(app: FastAPI, route: str) -> None:
    case = CASES[route]
    assert not isinstance(case, Excluded)
    actor = await signup(app)
    call = await case(actor)
    headers = (call.headers or {}) | {"Idempotency-Key": uuid.uuid4().hex}
    first = await actor.client.post(call.path, json=call.json, headers=headers)
    second = await actor.client.post(call.path, json=call.json, headers=headers)
    assert first.is_success, first.text
    assert (second.status_code, second.content) == (first.status_code, first.content)
    assert second.headers["idempotent-replayed"] == "true"
