"""Workspace members, roles, workspace selection and the platform-admin user list."""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from kindred.admin.service import ensure_platform_admin
from kindred.core.db.session import Database
from tests.conftest import client_for
from tests.factories import PASSWORD, Actor, signin, signup, unique_email


async def test_admins_list_members_with_roles(app: FastAPI) -> None:
    owner = await signup(app)
    viewer = await owner.add_member("viewer")
    members = {m["email"]: m for m in (await owner.client.get("/api/users")).json()}
    assert members[owner.email]["isAdmin"] is True
    assert members[viewer.email] | {"id": None} == {
        "id": None,
        "name": "Viewer",
        "email": viewer.email,
        "image": None,
        "isAdmin": False,
        "role": "viewer",
    }


async def test_an_admin_changes_a_members_role(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    response = await owner.client.put(f"/api/users/{member.user_id}", json={"role": "admin"})
    assert response.status_code == 200
    assert response.json()["isAdmin"] is True
    assert (await member.client.get("/api/users")).status_code == 200


async def test_an_invalid_role_is_a_400(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    response = await owner.client.put(f"/api/users/{member.user_id}", json={"role": "owner"})
    assert response.status_code == 400


async def test_the_last_admin_cannot_be_demoted(app: FastAPI) -> None:
    owner = await signup(app)
    response = await owner.client.put(f"/api/users/{owner.user_id}", json={"role": "viewer"})
    assert response.status_code == 409
    assert response.json()["code"] == "LAST_ADMIN"


async def test_a_member_cannot_change_roles(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    response = await member.client.put(f"/api/users/{member.user_id}", json={"role": "admin"})
    assert response.status_code == 403


async def test_another_workspaces_user_is_not_found(app: FastAPI) -> None:
    owner = await signup(app)
    stranger = await signup(app)
    response = await owner.client.put(f"/api/users/{stranger.user_id}", json={"role": "viewer"})
    assert response.status_code == 404


async def test_adding_an_existing_member_twice_is_a_409(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    again = await owner.client.post("/api/users", json={"email": member.email, "role": "viewer"})
    assert again.status_code == 409


async def test_an_existing_account_joins_a_second_workspace(app: FastAPI) -> None:
    first = await signup(app)
    second = await signup(app)
    added = await second.client.post("/api/users", json={"email": first.email, "role": "viewer"})
    assert added.status_code == 201
    workspaces = (await first.client.get("/api/workspaces")).json()
    assert {w["id"]: w["role"] for w in workspaces} == {
        first.workspace_id: "admin",
        second.workspace_id: "viewer",
    }


async def test_x_workspace_id_switches_workspace_and_role(app: FastAPI) -> None:
    first = await signup(app)
    second = await signup(app)
    await second.client.post("/api/users", json={"email": first.email, "role": "viewer"})
    first.client.headers["x-workspace-id"] = second.workspace_id
    session = (await first.client.get("/api/auth/session")).json()["user"]
    assert (session["workspaceId"], session["workspaceRole"]) == (second.workspace_id, "viewer")
    assert (await first.client.get("/api/api-keys")).status_code == 403


async def test_x_workspace_id_of_a_foreign_workspace_is_not_found(app: FastAPI) -> None:
    owner = await signup(app)
    stranger = await signup(app)
    owner.client.headers["x-workspace-id"] = stranger.workspace_id
    response = await owner.client.get("/api/api-keys")
    assert response.status_code == 404
    assert stranger.workspace_id not in response.text


async def test_x_workspace_id_of_a_foreign_workspace_with_a_key_is_not_found(app: FastAPI) -> None:
    owner = await signup(app)
    stranger = await signup(app)
    bearer, _ = await owner.api_key_client()
    bearer.headers["x-workspace-id"] = stranger.workspace_id
    assert (await bearer.get("/api/api-keys")).status_code == 404


async def test_x_workspace_id_that_is_not_a_uuid_is_not_found(app: FastAPI) -> None:
    owner = await signup(app)
    owner.client.headers["x-workspace-id"] = "workspace-1"
    assert (await owner.client.get("/api/api-keys")).status_code == 404


async def test_a_member_can_be_removed_but_not_the_last_admin(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    assert (await owner.client.delete(f"/api/users/{member.user_id}")).status_code == 200
    assert (await member.client.get("/api/api-keys")).status_code == 404
    del member.client.headers["x-workspace-id"]
    assert (await member.client.get("/api/auth/session")).json()["user"]["workspaceId"] is None
    assert (await owner.client.delete(f"/api/users/{owner.user_id}")).status_code == 409


async def test_a_new_workspace_makes_its_creator_admin(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post("/api/workspaces", json={"name": "Second brand"})
    assert created.status_code == 201
    assert created.json()["role"] == "admin"
    owner.client.headers["x-workspace-id"] = created.json()["id"]
    assert (await owner.client.get("/api/api-keys")).status_code == 200


async def make_platform_admin(app: FastAPI, database: Database) -> tuple[str, Actor]:
    email = unique_email("root")
    async with database.session_scope() as session:
        await ensure_platform_admin(session, email=email, password=PASSWORD, name="Root")
    return email, await signin(app, email)


async def test_platform_admins_list_every_user_with_stats(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    _, root = await make_platform_admin(app, database)
    response = await root.client.get("/api/admin/users", params={"limit": 200})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 2
    listed = {user["email"]: user for user in body["users"]}
    assert listed[owner.email]["role"] == "USER"
    assert set(listed[owner.email]["stats"]) == {"contacts", "leads", "deals"}


async def test_workspace_admins_cannot_list_platform_users(app: FastAPI) -> None:
    owner = await signup(app)
    assert (await owner.client.get("/api/admin/users")).status_code == 403


async def test_platform_admins_act_as_admin_in_any_workspace(
    app: FastAPI, database: Database
) -> None:
    owner = await signup(app)
    _, root = await make_platform_admin(app, database)
    root.client.headers["x-workspace-id"] = owner.workspace_id
    assert (await root.client.get("/api/api-keys")).status_code == 200
    root.client.headers["x-workspace-id"] = str(uuid.uuid4())
    assert (await root.client.get("/api/api-keys")).status_code == 404


async def test_a_platform_admin_without_a_workspace_is_told_to_pick_one(
    app: FastAPI, database: Database
) -> None:
    _, root = await make_platform_admin(app, database)
    response = await root.client.get("/api/api-keys")
    assert response.status_code == 400
    assert response.json()["code"] == "WORKSPACE_REQUIRED"


async def test_anonymous_clients_cannot_list_workspaces(app: FastAPI) -> None:
    async with client_for(app) as anonymous:
        assert (await anonymous.get("/api/workspaces")).status_code == 401


async def test_a_page_size_over_the_cap_is_a_400(app: FastAPI, database: Database) -> None:
    _, root = await make_platform_admin(app, database)
    response = await root.client.get("/api/admin/users", params={"limit": 201})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "limit"
