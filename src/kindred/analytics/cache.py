"""A short-lived cache for the dashboard's deal charts.

The contact and deal figures are read from rollups the database keeps exact (a few rows per
day or stage), and the metrics and the contacts growth are live on every request. The cache
holds the deal charts (deals by stage, forecast, stage funnel); of these only the funnel still
costs much uncached: its window of stage history, tens of thousands of index entries at
100,000 deals. A TTL bounds their staleness.

Redis when configured (shared by every API process), process memory otherwise; values are
JSON under `kindred:analytics:<workspace>:<tile>:<range>`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

MAX_MEMORY_ENTRIES = 10_000

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class TileStore(Protocol):
    async def get_many(self, keys: Sequence[str]) -> list[str | None]: ...

    async def set_many(self, values: Mapping[str, str], ttl: int) -> None: ...


class MemoryTileStore:
    """One process's entries; expired ones are dropped as new ones arrive, size is bounded."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[str, tuple[float, str]] = {}

    async def get_many(self, keys: Sequence[str]) -> list[str | None]:
        now = self.clock()
        found: list[str | None] = []
        for key in keys:
            entry = self._entries.get(key)
            found.append(entry[1] if entry and entry[0] > now else None)
        return found

    async def set_many(self, values: Mapping[str, str], ttl: int) -> None:
        now = self.clock()
        self._entries = {key: entry for key, entry in self._entries.items() if entry[0] > now}
        while len(self._entries) + len(values) > MAX_MEMORY_ENTRIES and self._entries:
            del self._entries[next(iter(self._entries))]  # the oldest insertion
        self._entries.update({key: (now + ttl, value) for key, value in values.items()})


class RedisTileStore:
    """Entries shared by every API process, expired by Redis itself.

    An unreachable Redis reads as a miss and skips the write: the dashboard gets slower,
    never wrong and never an error.
    """

    def __init__(self, url: str) -> None:
        self.client = aioredis.from_url(url, socket_connect_timeout=1, socket_timeout=1)

    async def get_many(self, keys: Sequence[str]) -> list[str | None]:
        try:
            values = await self.client.mget(list(keys))
        except (RedisError, OSError):
            return [None] * len(keys)
        return [raw.decode() if isinstance(raw, bytes) else raw for raw in values]

    async def set_many(self, values: Mapping[str, str], ttl: int) -> None:
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for key, value in values.items():
                    pipe.set(key, value, ex=ttl)
                await pipe.execute()
        except (RedisError, OSError):
            return


def build_store(redis_url: str | None) -> TileStore:
    return RedisTileStore(redis_url) if redis_url else MemoryTileStore()


@dataclass(frozen=True)
class TileCache:
    """One workspace's tiles kept `ttl` seconds in `store`; `ttl` 0 turns caching off."""

    store: TileStore
    ttl: int
    workspace_id: uuid.UUID

    def key(self, tile: str, scope: str) -> str:
        return f"kindred:analytics:{self.workspace_id}:{tile}:{scope}"

    async def tile(self, tile: str, scope: str, compute: Callable[[], Awaitable[T]]) -> T:
        """The cached value of `tile` for `scope` (e.g. a date range), else `compute()`d.

        The value must come back from JSON as it went in (lists, string-keyed dicts, numbers).
        """
        value: T = (
            await self.many({None: self.key(tile, scope)}, lambda _missing: _listed(compute))
        )[None]
        return value

    async def many(
        self, keys: Mapping[K, str], compute: Callable[[list[K]], Awaitable[list[Any]]]
    ) -> dict[K, Any]:
        """A value for every item of `keys`: cached ones read, the others computed together.

        `compute` gets the missing items and returns their JSON-able values in the same order.
        """
        found = await self.store.get_many(list(keys.values())) if self.ttl else [None] * len(keys)
        values = {item: json.loads(raw) for item, raw in zip(keys, found, strict=True) if raw}
        missing = [item for item in keys if item not in values]
        if missing:
            computed = dict(zip(missing, await compute(missing), strict=True))
            if self.ttl:
                encoded = {keys[item]: json.dumps(value) for item, value in computed.items()}
                await self.store.set_many(encoded, self.ttl)
            values |= computed
        return values


async def _listed(compute: Callable[[], Awaitable[T]]) -> list[Any]:
    return [await compute()]
