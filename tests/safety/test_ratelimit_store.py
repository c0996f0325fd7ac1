"""The in-memory rate-limit store: fixed windows, peeking, and bounded memory."""

from __future__ import annotations

import pytest

from kindred.core import ratelimit
from kindred.core.ratelimit import MemoryRateLimiter


async def test_a_new_window_starts_a_new_count(monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = MemoryRateLimiter()
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000.0)
    assert (await limiter.hit("k", 1, 60)).allowed
    denied = await limiter.hit("k", 1, 60)
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_080.0)
    assert not denied.allowed
    assert denied.reset_seconds == 20
    assert (await limiter.hit("k", 1, 60)).allowed


async def test_peek_does_not_count() -> None:
    limiter = MemoryRateLimiter()
    for _ in range(3):
        assert (await limiter.peek("k", 1, 60)).allowed
    await limiter.hit("k", 1, 60)
    assert not (await limiter.peek("k", 1, 60)).allowed


async def test_counters_of_past_windows_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = MemoryRateLimiter()
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000.0)
    for number in range(100):
        await limiter.hit(f"ip-{number}", 10, 60)
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_100.0)
    await limiter.hit("ip-new", 10, 60)
    assert len(limiter._counts) == 1
