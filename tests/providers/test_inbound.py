"""The inbound event ledger (a replay changes nothing) and webhook workspace resolution."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from kindred.core.db.session import Database
from kindred.providers import inbound
from kindred.providers.inbound import InboundWorkspaceNotFound, ReceivingAddressTaken
from kindred.providers.models import BindingKind, InboundEvent
from tests.factories import signup

ADDRESS, ACCOUNT = BindingKind.ADDRESS, BindingKind.ACCOUNT


async def workspace(app: FastAPI) -> uuid.UUID:
    return uuid.UUID((await signup(app)).workspace_id)


async def test_an_event_is_recorded_once_and_a_replay_is_reported(
    app: FastAPI, database: Database
) -> None:
    ws = await workspace(app)
    event_id = f"evt_{uuid.uuid4().hex}"
    async with database.session_scope() as session:
        first = await inbound.record_once(
            session, "stripe", event_id, workspace_id=ws, payload=b"{}"
        )
    async with database.session_scope() as session:
        replay = await inbound.record_once(session, "stripe", event_id, payload=b"{}")
        count = await session.scalar(
            select(func.count()).select_from(InboundEvent).where(InboundEvent.event_id == event_id)
        )
    assert (first, replay, count) == (True, False, 1)


async def test_the_same_id_from_another_provider_is_another_event(database: Database) -> None:
    event_id = uuid.uuid4().hex
    async with database.session_scope() as session:
        assert await inbound.record_once(session, "twilio", event_id)
        assert await inbound.record_once(session, "mailersend", event_id)


async def test_an_event_whose_handling_fails_is_not_recorded(database: Database) -> None:
    event_id = uuid.uuid4().hex

    async def failing_handler() -> None:
        async with database.session_scope() as session:
            await inbound.record_once(session, "twilio", event_id)
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        await failing_handler()
    async with database.session_scope() as session:
        assert await inbound.record_once(session, "twilio", event_id)


async def test_the_receiving_address_finds_its_workspace(app: FastAPI, database: Database) -> None:
    ws = await workspace(app)
    number = f"+1415555{uuid.uuid4().int % 10_000:04d}"
    async with database.session_scope() as session:
        await inbound.bind(session, ws, "twilio", ADDRESS, number)
    async with database.session_scope() as session:
        assert await inbound.resolve_workspace(session, "twilio", address=number) == ws
        assert await inbound.resolve_workspace(session, "twilio", address=f" {number} ") == ws


async def test_an_address_belongs_to_one_workspace(app: FastAPI, database: Database) -> None:
    first, second = await workspace(app), await workspace(app)
    email = f"Inbox-{uuid.uuid4().hex[:8]}@in.example.com"
    async with database.session_scope() as session:
        await inbound.bind(session, first, "mailersend", ADDRESS, email)
        await inbound.bind(session, first, "mailersend", ADDRESS, email.lower())  # no-op
    with pytest.raises(ReceivingAddressTaken):
        async with database.session_scope() as session:
            await inbound.bind(session, second, "mailersend", ADDRESS, email)


async def test_an_account_used_by_exactly_one_workspace_finds_it(
    app: FastAPI, database: Database
) -> None:
    ws = await workspace(app)
    sid = f"AC{uuid.uuid4().hex}"
    async with database.session_scope() as session:
        await inbound.bind(session, ws, "twilio", ACCOUNT, sid)
        found = await inbound.resolve_workspace(
            session, "twilio", address="+19999999999", account=sid
        )
    assert found == ws


async def test_a_shared_account_or_unknown_address_is_not_found(
    app: FastAPI, database: Database
) -> None:
    first, second = await workspace(app), await workspace(app)
    sid = f"AC{uuid.uuid4().hex}"
    async with database.session_scope() as session:
        await inbound.bind(session, first, "twilio", ACCOUNT, sid)
        await inbound.bind(session, second, "twilio", ACCOUNT, sid)
    async with database.session_scope() as session:
        for lookup in ({"account": sid}, {"address": "+10000000000"}, {}):
            with pytest.raises(InboundWorkspaceNotFound):
                await inbound.resolve_workspace(session, "twilio", **lookup)


async def test_unbinding_stops_routing(app: FastAPI, database: Database) -> None:
    ws = await workspace(app)
    number = f"+4420{uuid.uuid4().int % 10**8:08d}"
    async with database.session_scope() as session:
        await inbound.bind(session, ws, "twilio", ADDRESS, number)
        await inbound.unbind(session, ws, "twilio", ADDRESS, number)
        with pytest.raises(InboundWorkspaceNotFound):
            await inbound.resolve_workspace(session, "twilio", address=number)
