"""Fixed-window rate limits in Redis when configured, in process memory otherwise.

Both stores share one interface: `hit(key, limit, window)` counts a request and says whether
it is allowed; `peek` reads without counting (the sign-in failure check). A fixed window is
one counter per (key, window index): one round trip to Redis (INCR + EXPIRE), bounded memory.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis

from kindred.core.errors import TooManyRequests
from kindred.core.tokens import token_digest
from kindred.settings import Settings


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


def _window(window: int, now: float) -> tuple[int, int]:
    """The current window's index and the seconds until it ends (at least 1)."""
    index = int(now // window)
    return index, max(1, math.ceil((index + 1) * window - now))


def _decide(count: int, limit: int, reset: int) -> Decision:
    return Decision(count <= limit, limit, max(0, limit - count), reset)


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: int) -> Decision: ...

    async def peek(self, key: str, limit: int, window: int) -> Decision: ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    """One process's counters; stale windows are dropped as new ones start."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int, int], int] = {}
        self._current: dict[int, int] = {}  # window length -> index of its current window

    async def hit(self, key: str, limit: int, window: int) -> Decision:
        index, reset = _window(window, time.time())
        if self._current.get(window, -1) < index:
            self._current[window] = index
            self._drop_before(index, window)
        slot = (key, window, index)
        self._counts[slot] = self._counts.get(slot, 0) + 1
        return _decide(self._counts[slot], limit, reset)

    async def peek(self, key: str, limit: int, window: int) -> Decision:
        index, reset = _window(window, time.time())
        return _decide(self._counts.get((key, window, index), 0) + 1, limit, reset)

    def _drop_before(self, index: int, window: int) -> None:
        stale = [slot for slot in self._counts if slot[1] == window and slot[2] < index]
        for slot in stale:
            del self._counts[slot]

    async def close(self) -> None:
        self._counts.clear()


class RedisRateLimiter:
    """Counters shared by every API process."""

    def __init__(self, url: str, prefix: str = "kindred:rl") -> None:
        self.client = aioredis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self.prefix = prefix

    def _slot(self, key: str, window: int) -> tuple[str, int]:
        index, reset = _window(window, time.time())
        return f"{self.prefix}:{window}:{index}:{key}", reset

    async def hit(self, key: str, limit: int, window: int) -> Decision:
        slot, reset = self._slot(key, window)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(slot)
            pipe.expire(slot, window + 1)
            count, _ = await pipe.execute()
        return _decide(int(count), limit, reset)

    async def peek(self, key: str, limit: int, window: int) -> Decision:
        slot, reset = self._slot(key, window)
        count = await self.client.get(slot)
        return _decide(int(count or 0) + 1, limit, reset)

    async def close(self) -> None:
        await self.client.aclose()


def build_limiter(settings: Settings) -> RateLimiter:
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url)
    return MemoryRateLimiter()


class SigninThrottled(TooManyRequests):
    code = "TOO_MANY_FAILED_SIGNINS"
    message = "Too many failed sign-in attempts for this account; try again later"


def _account_key(email: str) -> str:
    return "signin:" + token_digest(email.strip().lower())[:32]


async def check_signin_allowed(limiter: RateLimiter, settings: Settings, email: str) -> None:
    """429 once an account has had too many failed sign-ins within the window."""
    decision = await limiter.peek(
        _account_key(email), settings.signin_max_failures, settings.signin_failure_window_seconds
    )
    if not decision.allowed:
        raise SigninThrottled(headers=decision.headers())


async def record_signin_failure(limiter: RateLimiter, settings: Settings, email: str) -> None:
    await limiter.hit(
        _account_key(email), settings.signin_max_failures, settings.signin_failure_window_seconds
    )
