"""Schemathesis over /openapi.json, in process: no 5xx, every response as documented.

Every operation gets KINDRED_FUZZ_EXAMPLES generated cases (50 by default, the CI setting;
raise it for a nightly-style run), positive and negative, authenticated as a workspace
admin by API key. Schemathesis runs the app's lifespan in its own event-loop thread.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import get_client
from schemathesis.specs.openapi.checks import response_schema_conformance

from kindred.app import create_app
from kindred.settings import Settings
from tests.factories import PASSWORD, unique_email
from tests.safety.routes import current_app

EXAMPLES = int(os.environ.get("KINDRED_FUZZ_EXAMPLES", "50"))
FUZZ_CASES: Counter[str] = Counter()  # generated cases per operation, for the summary


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="module")
def api_schema(fuzz_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


@pytest.fixture(scope="module")
def admin_headers(fuzz_app: FastAPI) -> dict[str, str]:
    """A workspace admin's API key, made through the API."""
    email = unique_email("fuzz")
    with get_client(fuzz_app) as client:
        signup = {"name": "Fuzz", "email": email, "password": PASSWORD, "businessName": "Fuzz"}
        assert client.post("/api/signup", json=signup).status_code == 200
        signin = client.post("/api/auth/signin", json={"email": email, "password": PASSWORD})
        assert signin.status_code == 200
        key = client.post("/api/api-keys", json={"name": "fuzz"})
        assert key.status_code == 201, key.text
    return {"Authorization": f"Bearer {key.json()['rawKey']}"}


def _labels() -> list[str]:
    """Every operation of the current schema (built without a database, for collection)."""
    document = current_app().openapi()
    return [
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method in methods
    ]


@pytest.mark.parametrize("label", _labels())
def test_operation_never_fails_and_matches_its_schema(
    label: str, api_schema: schemathesis.BaseSchema, admin_headers: dict[str, str]
) -> None:
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        FUZZ_CASES[label] += 1
        case.call_and_validate(
            headers=admin_headers, checks=[not_a_server_error, response_schema_conformance]
        )

    run()
