"""Credits: each send is charged its channel's weight; an uncovered send is refused by the
gate and never captured; platform admins set the weights (document 003)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from kindred.admin.service import ensure_platform_admin
from kindred.core.db.session import Database
from kindred.settings import Settings
from tests.databases import DatabaseFactory
from tests.factories import PASSWORD, signup
from tests.messaging.helpers import captured, make_contact, send, settings_with

STARTING_CREDITS = 2


@pytest.fixture(scope="module")
async def settings(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return await settings_with(databases, tmp_path_factory, initial_credits=STARTING_CREDITS)


async def test_send_beyond_the_balance_is_refused_and_never_captured(app: FastAPI) -> None:
    actor = await signup(app)
    contact = await make_contact(actor)
    statuses = [(await send(actor, contact["id"], "EMAIL")).status_code for _ in range(3)]
    assert statuses == [200, 200, 422]
    refused = await send(actor, contact["id"], "EMAIL")
    assert refused.json()["code"] == "INSUFFICIENT_CREDITS"
    assert len(await captured(actor)) == STARTING_CREDITS


async def test_platform_admin_sets_weights_and_sends_cost_them(
    app: FastAPI, database: Database
) -> None:
    actor = await signup(app)
    assert (
        await actor.client.post("/api/auth/admin/get-credit-weights", json={})
    ).status_code == 403
    async with database.session_scope() as session:
        await ensure_platform_admin(session, email=actor.email, password=PASSWORD, name="Root")
    changed = await actor.client.post(
        "/api/auth/admin/update-credit-weight", json={"creditType": "SMS", "weight": 3}
    )
    assert (changed.json()["previousWeight"], changed.json()["weight"]) == (1, 3)
    enrichment = await actor.client.post(
        "/api/auth/admin/update-enrichment-weight", json={"weight": 0.5}
    )
    assert enrichment.json()["weight"] == 0.5
    weights = (await actor.client.post("/api/auth/admin/get-credit-weights", json={})).json()
    assert weights["weights"] == {"EMAIL": 1, "SMS": 3, "VOICEMAIL": 1, "SKIPTRACE": 0.5}
    contact = await make_contact(actor)
    refused = await send(actor, contact["id"], "SMS")  # 3 credits > the 2 a workspace starts with
    assert refused.json()["code"] == "INSUFFICIENT_CREDITS"


async def test_negative_weight_is_refused(app: FastAPI, database: Database) -> None:
    actor = await signup(app)
    async with database.session_scope() as session:
        await ensure_platform_admin(session, email=actor.email, password=PASSWORD, name="Root")
    answer = await actor.client.post(
        "/api/auth/admin/update-credit-weight", json={"creditType": "EMAIL", "weight": -1}
    )
    assert answer.status_code == 400
