"""The consumers of domain events, by name (the name is the ledger key: never rename one)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from kindred.core.events.models import DomainEvent

ConsumerFunction = Callable[[AsyncSession, "DomainEvent"], Awaitable[Any]]

CONSUMERS: dict[str, ConsumerFunction] = {}


def consumer(name: str) -> Callable[[ConsumerFunction], ConsumerFunction]:
    def register(function: ConsumerFunction) -> ConsumerFunction:
        existing = CONSUMERS.get(name)
        if existing is not None and existing is not function:
            raise ValueError(f"event consumer {name!r} is declared twice")
        CONSUMERS[name] = function
        return function

    return register
