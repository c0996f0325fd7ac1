"""Rate limits: per IP on public routes, per live credential, per IP otherwise (made-up
credentials included); sign-in failures per account; the Redis store shared by processes."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from kindred.core.ratelimit import RedisRateLimiter
from tests.conftest import client_for
from tests.databases import REDIS_URL
from tests.factories import PASSWORD, signup
from tests.safety.fresh_apps import AppFactory

# Fixed windows restart on the boundary: a day-long window keeps these tests inside one.
DAY = 86_400


def _assert_limited(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 429
    headers = response.headers
    assert int(headers["Retry-After"]) >= 1
    assert headers["RateLimit-Limit"] == str(limit)
    assert headers["RateLimit-Remaining"] == "0"
    assert int(headers["RateLimit-Reset"]) >= 1
    body = response.json()
    assert (body["code"], body["status"]) == ("RATE_LIMITED", 429)


async def test_public_routes_are_limited_per_ip(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_public_per_ip=2, rate_limit_window_seconds=DAY)
    body = {"email": "nobody@example.com", "password": "wrong-password"}
    async with client_for(app) as client:
        statuses = [(await client.post("/api/auth/signin", json=body)).status_code for _ in "ab"]
        _assert_limited(await client.post("/api/auth/signin", json=body), 2)
    assert statuses == [401, 401]


async def test_each_api_key_has_its_own_budget(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_per_credential=3, rate_limit_window_seconds=DAY)
    owner = await signup(app)  # signup, signin, session: the cookie's budget, not the keys'
    first, _ = await owner.api_key_client("first")
    second, _ = await owner.api_key_client("second")
    for _ in range(3):
        assert (await first.get("/api/auth/session")).status_code == 200
    _assert_limited(await first.get("/api/auth/session"), 3)
    assert (await second.get("/api/auth/session")).status_code == 200


async def test_each_session_has_its_own_budget(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_per_credential=3, rate_limit_window_seconds=DAY)
    one = await signup(app)  # signing in read the session once: one of its three requests
    two = await signup(app)
    one.client.cookies.set("unrelated", "changes-nothing")
    for _ in range(2):
        assert (await one.client.get("/api/auth/session")).status_code == 200
    _assert_limited(await one.client.get("/api/auth/session"), 3)
    assert (await two.client.get("/api/auth/session")).status_code == 200


async def test_anonymous_calls_are_limited_per_ip(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_per_ip=2, rate_limit_window_seconds=DAY)
    async with client_for(app) as client:
        for _ in range(2):
            assert (await client.get("/api/health")).status_code == 200
        _assert_limited(await client.get("/api/health"), 2)


STORES = [
    "memory",
    pytest.param(
        "redis",
        marks=[
            pytest.mark.redis,
            pytest.mark.skipif(not REDIS_URL, reason="needs KINDRED_TEST_REDIS_URL"),
        ],
    ),
]
FAKE_CREDENTIALS: dict[str, Callable[[], dict[str, str]]] = {
    "bearer": lambda: {"Authorization": f"Bearer pai_{secrets.token_urlsafe(32)}"},
    "x-api-key": lambda: {"x-api-key": f"pai_{secrets.token_urlsafe(32)}"},
    "session": lambda: {"Cookie": f"kindred_session={secrets.token_urlsafe(32)}"},
    "other scheme": lambda: {"Authorization": f"Basic {secrets.token_urlsafe(16)}"},
}


def _client_at(app: FastAPI, ip: str, **headers: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40_000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)


def _random_ip() -> str:
    """A client address of its own, so counters left in a shared Redis by other runs miss it."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


async def _limited_app(make_app: AppFactory, store: str, **limits: int) -> FastAPI:
    redis = {"redis_url": REDIS_URL} if store == "redis" else {}
    # sign-ups come from 127.0.0.1, whose public bucket a shared Redis keeps all day
    return await make_app(
        rate_limit_window_seconds=DAY, rate_limit_public_per_ip=10**9, **redis, **limits
    )


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("spelling", FAKE_CREDENTIALS)
async def test_made_up_credentials_share_the_clients_ip_budget(
    make_app: AppFactory, store: str, spelling: str
) -> None:
    app = await _limited_app(make_app, store, rate_limit_per_ip=3, rate_limit_per_credential=100)
    fake = FAKE_CREDENTIALS[spelling]
    async with _client_at(app, _random_ip()) as client:
        for _ in range(3):
            response = await client.get("/api/auth/session", headers=fake())
            assert response.status_code == 401
        _assert_limited(await client.get("/api/auth/session", headers=fake()), 3)


@pytest.mark.parametrize("store", STORES)
async def test_a_valid_key_keeps_its_own_budget_when_its_ip_is_exhausted(
    make_app: AppFactory, store: str
) -> None:
    app = await _limited_app(make_app, store, rate_limit_per_ip=1, rate_limit_per_credential=3)
    owner = await signup(app)
    _, key = await owner.api_key_client("own budget")
    ip = _random_ip()
    async with _client_at(app, ip) as anonymous:
        assert (await anonymous.get("/api/auth/session")).status_code == 401
        _assert_limited(
            await anonymous.get("/api/auth/session", headers=FAKE_CREDENTIALS["bearer"]()), 1
        )
    async with _client_at(app, ip, authorization=f"Bearer {key['rawKey']}") as holder:
        for _ in range(3):
            assert (await holder.get("/api/auth/session")).status_code == 200
        _assert_limited(await holder.get("/api/auth/session"), 3)


async def test_allowed_responses_say_how_much_budget_is_left(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_per_ip=5, rate_limit_window_seconds=DAY)
    async with client_for(app) as client:
        response = await client.get("/api/health")
    assert response.headers["RateLimit-Limit"] == "5"
    assert response.headers["RateLimit-Remaining"] == "4"


async def test_repeated_failed_signins_lock_the_account_for_a_while(make_app: AppFactory) -> None:
    app = await make_app(signin_max_failures=2, signin_failure_window_seconds=DAY)
    victim = await signup(app)
    other = await signup(app)
    wrong = {"email": victim.email, "password": "not-the-password"}
    async with client_for(app) as client:
        for _ in range(2):
            assert (await client.post("/api/auth/signin", json=wrong)).status_code == 401
        right = {"email": victim.email, "password": PASSWORD}
        locked = await client.post("/api/auth/signin", json=right)
        unaffected = await client.post(
            "/api/auth/signin", json={"email": other.email, "password": PASSWORD}
        )
    assert locked.status_code == 429
    assert locked.json()["code"] == "TOO_MANY_FAILED_SIGNINS"
    assert int(locked.headers["Retry-After"]) > 0
    assert unaffected.status_code == 200


async def test_limits_off_when_disabled(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_enabled=False, rate_limit_per_ip=1)
    async with client_for(app) as client:
        statuses = {(await client.get("/api/health")).status_code for _ in range(3)}
    assert statuses == {200}


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs KINDRED_TEST_REDIS_URL")
async def test_redis_counters_are_shared_between_processes() -> None:
    assert REDIS_URL
    one, two = RedisRateLimiter(REDIS_URL), RedisRateLimiter(REDIS_URL)
    key = f"test:{id(one)}"
    try:
        assert (await one.hit(key, 2, DAY)).allowed
        assert (await two.hit(key, 2, DAY)).allowed
        denied = await one.hit(key, 2, DAY)
        assert not denied.allowed
        assert not (await two.peek(key, 2, DAY)).allowed
    finally:
        await one.close()
        await two.close()


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs KINDRED_TEST_REDIS_URL")
async def test_app_uses_redis_when_configured(make_app: AppFactory) -> None:
    app = await make_app(redis_url=REDIS_URL, rate_limit_per_ip=1, rate_limit_window_seconds=DAY)
    assert isinstance(app.state.rate_limiter, RedisRateLimiter)
    async with client_for(app) as client:
        assert (await client.get("/api/health")).status_code in (200, 429)
        _assert_limited(await client.get("/api/health"), 1)
