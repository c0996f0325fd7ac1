"""One session, one transaction per request or task: commit at the end, roll back on error.

Services only `flush()`. After a successful commit the database runs its commit hooks
(the job publisher among them), so work enqueued by a rolled-back request is never sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kindred.core.db.engine import build_engine
from kindred.core.secrets import SecretBox, bind_secrets
from kindred.settings import Settings

CommitHook = Callable[[AsyncSession], Awaitable[None]]


class Database:
    """The engine, its session factory, and what runs after each commit."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self.commit_hooks: list[CommitHook] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        engine = build_engine(settings)
        bind_secrets(engine, SecretBox.from_settings(settings))
        return cls(engine)

    @asynccontextmanager
    async def session_scope(self) -> AsyncIterator[AsyncSession]:
        """A unit of work for tasks, the CLI and the request dependency."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        for hook in self.commit_hooks:
            await hook(session)

    async def dispose(self) -> None:
        await self.engine.dispose()


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


# The ASGI scope key under which a middleware that owns the request's unit of work (the
# Idempotency-Key middleware, which must store its record in the same transaction) passes it on.
REQUEST_SESSION = "kindred.request_session"


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session: its own unit of work, or the one a middleware opened for it.

    The owner of an outer session commits it; here an error only rolls it back, so the
    owner can still record the error response in a clean transaction.
    """
    outer: AsyncSession | None = request.scope.get(REQUEST_SESSION)
    if outer is None:
        async with get_database(request).session_scope() as session:
            yield session
        return
    try:
        yield outer
    except BaseException:
        await outer.rollback()
        raise


# scope="function": the commit runs after the handler and serialisation but before the
# response is sent, so a failed commit becomes an error response, never a false 200
# (an outer session's owner holds the response back until its own commit).
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
