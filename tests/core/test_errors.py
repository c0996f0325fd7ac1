"""One error shape for every failure; malformed ids are 404s; no internals leak."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from kindred.core.schemas import LONE_SURROGATE, NON_FINITE, NUL_CHARACTER, first_unstorable
from tests.factories import signup


async def test_an_unknown_route_is_a_404_in_the_common_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert response.json()["status"] == 404


async def test_a_wrong_method_is_a_405_in_the_common_shape(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/signup")
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


async def test_malformed_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/signup", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


async def test_malformed_signin_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/signin", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_a_nul_character_is_refused_naming_the_field_that_holds_it(
    client: httpx.AsyncClient,
) -> None:
    body = {"email": "nul@example.com", "password": "a long password", "name": "A\x00B"}
    response = await client.post("/api/signup", json=body)
    assert response.status_code == 400
    assert response.json()["details"] == [
        {"field": "name", "message": "NUL characters are not allowed"}
    ]


@pytest.mark.parametrize("number", ["1e309", "-1e309", "NaN", "Infinity"])
async def test_a_number_that_is_not_finite_is_refused_naming_where_it_is(
    app: FastAPI, number: str
) -> None:
    """Stored, it came back as the text "inf" (or "nan") in place of the number sent."""
    actor = await signup(app)
    body = '{"firstName": "Ada", "customFields": {"score": NUMBER}}'.replace("NUMBER", number)
    response = await actor.client.post(
        "/api/contacts", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["details"] == [
        {"field": "customFields.score", "message": "Numbers must be finite"}
    ]


def test_the_path_to_an_unstorable_character_names_nested_values_and_keys() -> None:
    nested = {"customFields": {"plan": ["ok", "b\x00d"]}}
    assert first_unstorable(nested) == (["customFields", "plan", "1"], NUL_CHARACTER)
    assert first_unstorable({"tags": {"a\x00": 1}}) == (["tags", "a\\0"], NUL_CHARACTER)
    assert first_unstorable({"tags": {"a\ud800": 1}}) == (["tags", "a\\ud800"], LONE_SURROGATE)
    assert first_unstorable({"scores": [1.5, float("inf")]}) == (["scores", "1"], NON_FINITE)
    assert first_unstorable({"count": 3, "note": "fine", "emoji": "\U0001f600"}) is None
