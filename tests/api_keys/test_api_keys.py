"""API keys: created once, stored hashed, used two ways, revoked at once, admins only."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from sqlalchemy import select

from kindred.api_keys.models import ApiKey
from kindred.core.db.session import Database
from tests.conftest import client_for
from tests.factories import signup


async def test_created_key_is_returned_once_with_prefix(app: FastAPI) -> None:
    owner = await signup(app)
    response = await owner.client.post("/api/api-keys", json={"name": "Zapier"})
    assert response.status_code == 201
    created = response.json()
    assert created["rawKey"].startswith("pai_")
    assert len(created["rawKey"]) >= 36
    assert created["rawKey"].startswith(created["keyPrefix"])
    assert created["workspaceId"] == owner.workspace_id
    listed = (await owner.client.get("/api/api-keys")).json()
    assert [key["name"] for key in listed] == ["Zapier"]
    assert "rawKey" not in listed[0]
    assert listed[0]["creatorEmail"] == owner.email


async def test_only_the_hash_of_a_key_is_stored(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    _, key = await owner.api_key_client()
    async with database.session_scope() as session:
        stored = await session.get(ApiKey, uuid.UUID(key["id"]))
    assert stored is not None
    assert key["rawKey"] not in {stored.key_hash, stored.key_prefix}
    assert len(stored.key_hash) == 64


async def test_bearer_key_authenticates_in_its_workspace(app: FastAPI) -> None:
    owner = await signup(app)
    bearer, _ = await owner.api_key_client()
    session = (await bearer.get("/api/auth/session")).json()
    assert session["user"]["id"] == owner.user_id
    assert session["user"]["workspaceId"] == owner.workspace_id


async def test_x_api_key_with_organization_id_authenticates(app: FastAPI) -> None:
    owner = await signup(app)
    _, key = await owner.api_key_client()
    async with client_for(
        app, **{"x-api-key": key["rawKey"], "x-organization-id": owner.workspace_id}
    ) as agentvoice:
        assert (await agentvoice.get("/api/api-keys")).status_code == 200


async def test_x_api_key_with_another_organization_id_is_refused(app: FastAPI) -> None:
    owner = await signup(app)
    other = await signup(app)
    _, key = await owner.api_key_client()
    async with client_for(
        app, **{"x-api-key": key["rawKey"], "x-organization-id": other.workspace_id}
    ) as agentvoice:
        response = await agentvoice.get("/api/api-keys")
    assert response.status_code == 401


async def test_an_unknown_key_is_refused(app: FastAPI) -> None:
    async with client_for(app, authorization="Bearer pai_not-a-real-key") as forged:
        assert (await forged.get("/api/api-keys")).status_code == 401


async def test_a_revoked_key_is_refused_at_once(app: FastAPI) -> None:
    owner = await signup(app)
    bearer, key = await owner.api_key_client()
    assert (await bearer.get("/api/api-keys")).status_code == 200
    revoked = await owner.client.delete(f"/api/api-keys/{key['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["success"] is True
    assert (await bearer.get("/api/api-keys")).status_code == 401
    assert key["id"] not in {k["id"] for k in (await owner.client.get("/api/api-keys")).json()}


async def test_revoking_twice_is_a_404(app: FastAPI) -> None:
    owner = await signup(app)
    _, key = await owner.api_key_client()
    assert (await owner.client.delete(f"/api/api-keys/{key['id']}")).status_code == 200
    assert (await owner.client.delete(f"/api/api-keys/{key['id']}")).status_code == 404


async def test_last_used_at_is_recorded_on_use(app: FastAPI) -> None:
    owner = await signup(app)
    bearer, key = await owner.api_key_client()
    await bearer.get("/api/auth/session")
    listed = {k["id"]: k for k in (await owner.client.get("/api/api-keys")).json()}
    assert listed[key["id"]]["lastUsedAt"] is not None


async def test_a_member_cannot_create_or_list_keys(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    assert (await member.client.post("/api/api-keys", json={"name": "x"})).status_code == 403
    assert (await member.client.get("/api/api-keys")).status_code == 403


async def test_a_viewer_cannot_create_keys(app: FastAPI) -> None:
    owner = await signup(app)
    viewer = await owner.add_member("viewer")
    response = await viewer.client.post("/api/api-keys", json={"name": "x"})
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


async def test_a_key_inherits_its_creators_role(app: FastAPI) -> None:
    owner = await signup(app)
    demoted_admin = await owner.add_member("admin")
    bearer, _ = await demoted_admin.api_key_client()
    assert (await bearer.get("/api/api-keys")).status_code == 200
    demoted = await owner.client.put(f"/api/users/{demoted_admin.user_id}", json={"role": "member"})
    assert demoted.status_code == 200
    assert (await bearer.get("/api/api-keys")).status_code == 403


async def test_another_workspaces_key_id_is_not_found(app: FastAPI) -> None:
    owner = await signup(app)
    other = await signup(app)
    _, key = await other.api_key_client()
    assert (await owner.client.delete(f"/api/api-keys/{key['id']}")).status_code == 404
    assert (await other.client.get("/api/api-keys")).json()[0]["id"] == key["id"]


async def test_an_empty_key_name_is_a_400(app: FastAPI) -> None:
    owner = await signup(app)
    response = await owner.client.post("/api/api-keys", json={"name": ""})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "name"


async def test_a_malformed_key_id_is_a_404(app: FastAPI) -> None:
    owner = await signup(app)
    assert (await owner.client.delete("/api/api-keys/not-a-uuid")).status_code == 404


async def test_raw_keys_never_appear_in_the_keys_table(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    _, key = await owner.api_key_client()
    async with database.session_scope() as session:
        rows = (
            await session.execute(select(ApiKey.key_hash, ApiKey.key_prefix, ApiKey.name))
        ).all()
    assert all(key["rawKey"] not in value for row in rows for value in row)
