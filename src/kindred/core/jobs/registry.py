"""Where tasks and scheduler scanners are declared.

    @task("campaigns.send_batch")
    async def send_batch(session: AsyncSession, *, campaign_id: str) -> None: ...

A task receives its own session (committed when it returns, rolled back if it raises) and
the keyword payload it was enqueued with: ids only, so it tolerates rows deleted meanwhile.
A scanner runs on every scheduler tick and enqueues whatever has become due.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

TaskFunction = Callable[..., Awaitable[Any]]
# Called once when a task has failed its last attempt: (session, the exception, **payload).
GiveUpFunction = Callable[..., Awaitable[Any]]
ScannerFunction = Callable[[AsyncSession, datetime], Awaitable[Any]]


@dataclass(frozen=True)
class TaskSpec:
    name: str
    function: TaskFunction
    max_attempts: int | None
    on_give_up: GiveUpFunction | None = None


TASKS: dict[str, TaskSpec] = {}
SCANNERS: dict[str, ScannerFunction] = {}


def task(
    name: str, *, max_attempts: int | None = None, on_give_up: GiveUpFunction | None = None
) -> Callable[[TaskFunction], TaskFunction]:
    """Declares a task; `on_give_up` records the outcome once retries are exhausted (it runs in
    the transaction that marks the job failed, so the two never disagree).

    The hook gets the exception object that ended the last attempt, not its text, so it can read
    what the task attached to it (the automations runner reads which step failed). It runs in
    the process of the last attempt, right after that attempt rolled back (the exception may
    name rows the rollback undid; read ids from it, not loaded objects); or, when the worker
    died during the last attempt, in the scheduler's tick, with `WorkerLost`: a hook whose
    fallback redoes the work (a campaign batch sent one by one) should not redo it then, as it
    may stop that process too."""

    def register(function: TaskFunction) -> TaskFunction:
        existing = TASKS.get(name)
        if existing is not None and existing.function is not function:
            raise ValueError(f"task {name!r} is declared twice")
        TASKS[name] = TaskSpec(
            name=name, function=function, max_attempts=max_attempts, on_give_up=on_give_up
        )
        return function

    return register


def scanner(name: str) -> Callable[[ScannerFunction], ScannerFunction]:
    def register(function: ScannerFunction) -> ScannerFunction:
        SCANNERS[name] = function
        return function

    return register
