"""Per-user counters shown to platform admins, contributed by the domains that own them.

A domain registers `async def count(session, user_ids) -> {user_id: n}` under a stat name
(`contacts`, `leads`, `deals`); a stat no domain provides yet reads 0.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

StatCounter = Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, int]]]

USER_STATS: dict[str, StatCounter] = {}


def user_stat(name: str) -> Callable[[StatCounter], StatCounter]:
    def register(counter: StatCounter) -> StatCounter:
        USER_STATS[name] = counter
        return counter

    return register


async def stats_for(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    result: dict[uuid.UUID, dict[str, int]] = {user_id: {} for user_id in user_ids}
    for name, counter in USER_STATS.items():
        for user_id, count in (await counter(session, user_ids)).items():
            result[user_id][name] = count
    return result
