"""Idempotency-Key: the first response per (workspace, key) is replayed, nothing runs twice."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.api_keys.models import ApiKey
from kindred.core.db import utcnow
from kindred.core.db.session import Database
from kindred.core.idempotency import service
from kindred.core.idempotency.middleware import fingerprint
from kindred.core.idempotency.models import IdempotencyRecord
from kindred.core.idempotency.repository import Claim, IdempotencyRepository
from kindred.core.idempotency.tasks import purge_expired
from kindred.settings import Settings
from tests.factories import Actor, signup


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def key_body(name: str = "K") -> bytes:
    return json.dumps({"name": name}).encode()


async def create_key(actor: Actor, headers: dict[str, str], name: str = "K") -> httpx.Response:
    headers = headers | {"content-type": "application/json"}
    return await actor.client.post("/api/api-keys", content=key_body(name), headers=headers)


async def key_names(actor: Actor) -> list[str]:
    return [item["name"] for item in (await actor.client.get("/api/api-keys")).json()]


async def claim_by_hand(
    database: Database, actor: Actor, headers: dict[str, str], **at: datetime
) -> None:
    """A record as a request that is still running (or crashed) would have left it."""
    now = utcnow()
    scope = {"method": "POST", "path": "/api/api-keys", "query_string": b""}
    request = fingerprint(scope, key_body())
    claim = Claim(uuid.UUID(actor.workspace_id), headers["Idempotency-Key"], request, "t")
    async with database.session_scope() as session:
        await IdempotencyRepository(session).insert_claim(
            claim, at.get("locked_at", now), at.get("expires_at", now + timedelta(hours=1))
        )


async def test_repeat_replays_the_first_response_and_creates_nothing(app: FastAPI) -> None:
    owner = await signup(app)
    headers = key()
    first = await create_key(owner, headers)
    second = await create_key(owner, headers)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content  # same id and raw key: not a second key
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["content-type"] == first.headers["content-type"]
    assert "idempotent-replayed" not in first.headers
    assert await key_names(owner) == ["K"]


async def test_same_key_with_another_body_is_422_and_changes_nothing(app: FastAPI) -> None:
    owner = await signup(app)
    headers = key()
    await create_key(owner, headers, "first")
    reused = await create_key(owner, headers, "second")
    assert reused.status_code == 422
    assert reused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await key_names(owner) == ["first"]


async def test_same_key_on_another_path_is_422(app: FastAPI) -> None:
    owner = await signup(app)
    headers = key()
    await create_key(owner, headers)
    other = await owner.client.post("/api/workspaces", json={"name": "K"}, headers=headers)
    assert other.status_code == 422


async def test_keys_are_scoped_per_workspace(app: FastAPI) -> None:
    first, second = await signup(app), await signup(app)
    headers = key()
    one = await create_key(first, headers)
    two = await create_key(second, headers)
    assert one.status_code == two.status_code == 201
    assert "idempotent-replayed" not in two.headers
    assert one.json()["id"] != two.json()["id"]


async def test_key_length_must_be_1_to_255(app: FastAPI) -> None:
    owner = await signup(app)
    for bad in ("", "k" * 256):
        response = await create_key(owner, {"Idempotency-Key": bad})
        assert response.status_code == 400
        assert response.json()["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert (await create_key(owner, {"Idempotency-Key": "k" * 255})).status_code == 201
    assert await key_names(owner) == ["K"]


async def test_client_errors_are_stored_and_replayed(app: FastAPI) -> None:
    owner = await signup(app)
    headers = key()
    first = await owner.client.post("/api/api-keys", json={}, headers=headers)
    second = await owner.client.post("/api/api-keys", json={}, headers=headers)
    assert first.status_code == second.status_code == 400
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"


async def test_repeat_while_the_first_runs_is_409(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    headers = key()
    await claim_by_hand(database, owner, headers)
    response = await create_key(owner, headers)
    assert response.status_code == 409
    assert response.json()["code"] == "IDEMPOTENCY_REQUEST_IN_PROGRESS"
    assert await key_names(owner) == []


async def test_a_crashed_first_request_is_taken_over_after_the_lock_period(
    app: FastAPI, database: Database, settings: Settings
) -> None:
    owner = await signup(app)
    headers = key()
    crashed_at = utcnow() - timedelta(seconds=settings.idempotency_lock_seconds + 1)
    await claim_by_hand(database, owner, headers, locked_at=crashed_at)
    first = await create_key(owner, headers)
    assert first.status_code == 201
    assert (await create_key(owner, headers)).content == first.content
    assert await key_names(owner) == ["K"]


async def test_an_expired_record_lets_the_key_run_again(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    headers = key()
    past = utcnow() - timedelta(hours=30)
    await claim_by_hand(database, owner, headers, locked_at=past, expires_at=past)
    assert (await create_key(owner, headers)).status_code == 201


async def test_server_errors_free_the_key(database: Database, settings: Settings) -> None:
    owner_ws = await _workspace_id(database)
    claim = Claim(owner_ws, uuid.uuid4().hex, "a" * 64, "first")
    async with database.session_scope() as session:
        assert await service.begin(session, claim, settings, utcnow()) is None
        await service.finish(session, claim, service.StoredResponse(503, {}, b"down"))
    retry = Claim(owner_ws, claim.key, "a" * 64, "retry")
    async with database.session_scope() as session:
        assert await service.begin(session, retry, settings, utcnow()) is None


async def _workspace_id(database: Database) -> uuid.UUID:
    from kindred.workspaces.models import Workspace

    async with database.session_scope() as session:
        workspace = Workspace(name="Direct")
        session.add(workspace)
        await session.flush()
        return workspace.id


async def test_concurrent_requests_with_one_key_create_once(app: FastAPI) -> None:
    owner = await signup(app)
    headers = key()
    responses = await asyncio.gather(*(create_key(owner, headers) for _ in range(4)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    created = [r for r in responses if r.status_code == 201]
    assert len({r.content for r in created}) == 1  # later 201s are replays of the first
    assert await key_names(owner) == ["K"]


async def test_anonymous_posts_pass_through(client: httpx.AsyncClient) -> None:
    """Sign-up has no workspace to scope a key to: each call runs (and fails as it should)."""
    headers = key()
    body = {"email": "not-an-email", "password": "x", "name": "A", "businessName": "B"}
    first = await client.post("/api/signup", json=body, headers=headers)
    second = await client.post("/api/signup", json=body, headers=headers)
    assert first.status_code == second.status_code == 400
    assert "idempotent-replayed" not in second.headers


async def test_purge_scanner_deletes_only_expired_records(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    old, fresh = key(), key()
    past = utcnow() - timedelta(hours=25)
    await claim_by_hand(database, owner, old, locked_at=past, expires_at=past)
    await claim_by_hand(database, owner, fresh)
    async with database.session_scope() as session:
        assert await purge_expired(session, utcnow()) >= 1
    async with database.session_scope() as session:
        left = await session.scalars(
            select(IdempotencyRecord.key).where(
                IdempotencyRecord.workspace_id == uuid.UUID(owner.workspace_id)
            )
        )
        assert list(left) == [fresh["Idempotency-Key"]]
        assert await session.scalar(select(func.count()).select_from(IdempotencyRecord)) >= 1


async def count_keys(session: AsyncSession, actor: Actor) -> int:
    statement = select(func.count()).where(ApiKey.workspace_id == uuid.UUID(actor.workspace_id))
    return int(await session.scalar(statement) or 0)


async def test_a_failure_storing_the_response_rolls_the_request_back(
    app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record is written in the request's transaction: no change without its response."""
    owner = await signup(app)
    headers = key()

    async def fail(*_: object) -> bool:
        raise RuntimeError("the database went away while storing the response")

    with monkeypatch.context() as patch:
        patch.setattr(IdempotencyRepository, "complete", fail)
        assert (await create_key(owner, headers)).status_code == 500
    monkeypatch.setattr(settings, "idempotency_lock_seconds", 0)  # a retry after the lock
    retry = await create_key(owner, headers)
    assert retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers
    assert await key_names(owner) == ["K"]


async def test_a_crash_right_after_the_commit_replays_the_stored_response(
    app: FastAPI, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies once the key is committed, before the client hears back."""
    owner = await signup(app)
    headers = key()
    armed = [True]

    async def crash_once_the_key_exists(_: AsyncSession) -> None:
        async with database.sessionmaker() as session:
            committed = await count_keys(session, owner)
        if armed and committed:
            armed.clear()
            raise RuntimeError("the process died after the commit")

    monkeypatch.setattr(
        database, "commit_hooks", [*database.commit_hooks, crash_once_the_key_exists]
    )
    assert (await create_key(owner, headers)).status_code == 500
    monkeypatch.setattr(settings, "idempotency_lock_seconds", 0)
    retry = await create_key(owner, headers)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert await key_names(owner) == ["K"]


async def test_a_request_whose_claim_was_taken_over_changes_nothing(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It ran past the lock period and a retry took the key: saving it too would run it twice."""
    owner = await signup(app)

    async def taken_over(*_: object) -> bool:
        return False

    monkeypatch.setattr(IdempotencyRepository, "complete", taken_over)
    response = await create_key(owner, key())
    assert response.status_code == 409
    assert response.json()["code"] == "IDEMPOTENCY_CLAIM_LOST"
    assert await key_names(owner) == []


async def test_a_slow_request_that_completed_is_not_taken_over(
    database: Database, settings: Settings
) -> None:
    """A repeat that saw the record running past its lock must not overwrite its response."""
    first = Claim(await _workspace_id(database), uuid.uuid4().hex, "a" * 64, "first")
    async with database.session_scope() as session:
        assert await service.begin(session, first, settings, utcnow()) is None
    async with database.session_scope() as session:
        seen_running = await IdempotencyRepository(session).find(first.workspace_id, first.key)
    assert seen_running is not None
    async with database.session_scope() as session:
        await service.finish(session, first, service.StoredResponse(201, {}, b"done"))
    later = utcnow() + timedelta(seconds=settings.idempotency_lock_seconds + 1)
    retry = Claim(first.workspace_id, first.key, "a" * 64, "retry")
    async with database.session_scope() as session:
        repository = IdempotencyRepository(session)
        assert not await repository.take_over(seen_running, retry, later, later)
