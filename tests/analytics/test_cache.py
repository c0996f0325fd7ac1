"""The tile cache: expiry, bounded memory, computing only what is missing, Redis."""

from __future__ import annotations

import uuid

import pytest

from kindred.analytics import cache as tiles
from kindred.analytics.cache import MemoryTileStore, RedisTileStore, TileCache
from tests.analytics.clock import Clock
from tests.databases import REDIS_URL


class Counter:
    """A `compute` function that records what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    async def __call__(self, missing: list[str]) -> list[int]:
        self.asked.append(missing)
        return [len(item) for item in missing]


async def test_memory_entries_expire_after_their_ttl() -> None:
    clock = Clock()
    store = MemoryTileStore(clock)
    await store.set_many({"a": "1"}, ttl=60)
    clock.now += 59
    assert await store.get_many(["a", "b"]) == ["1", None]
    clock.now += 1
    assert await store.get_many(["a"]) == [None]


async def test_memory_store_keeps_at_most_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tiles, "MAX_MEMORY_ENTRIES", 2)
    store = MemoryTileStore()
    for key in ("a", "b", "c"):
        await store.set_many({key: key}, ttl=60)
    assert await store.get_many(["a", "b", "c"]) == [None, "b", "c"]


async def test_cache_computes_only_missing_items_together() -> None:
    cache, compute = TileCache(MemoryTileStore(), 60, uuid.uuid4()), Counter()
    await cache.many({"x": cache.key("t", "x")}, compute)
    found = await cache.many({"x": cache.key("t", "x"), "yy": cache.key("t", "yy")}, compute)
    assert (found, compute.asked) == ({"x": 1, "yy": 2}, [["x"], ["yy"]])


async def test_ttl_zero_computes_every_time() -> None:
    cache, compute = TileCache(MemoryTileStore(), 0, uuid.uuid4()), Counter()
    for _ in range(2):
        await cache.many({"x": cache.key("t", "x")}, compute)
    assert compute.asked == [["x"], ["x"]]


async def test_unreachable_redis_reads_as_a_miss() -> None:
    store = RedisTileStore("redis://127.0.0.1:1/0")
    await store.set_many({"a": "1"}, ttl=60)
    assert await store.get_many(["a"]) == [None]
    await store.client.aclose()


@pytest.mark.skipif(not REDIS_URL, reason="needs KINDRED_TEST_REDIS_URL")
async def test_redis_store_shares_entries_between_processes() -> None:
    assert REDIS_URL
    one, two = RedisTileStore(REDIS_URL), RedisTileStore(REDIS_URL)
    key = f"kindred:analytics:test:{uuid.uuid4()}"
    await one.set_many({key: '[{"stage": "LEAD"}]'}, ttl=60)
    assert await two.get_many([key]) == ['[{"stage": "LEAD"}]']
    assert 0 < await two.client.ttl(key) <= 60
    await one.client.aclose()
    await two.client.aclose()
