"""One error shape for every failure; malformed ids are 404s; no internals leak."""

from __future__ import annotations

import httpx


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
