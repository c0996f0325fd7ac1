"""Sign-up, sign-in, session and sign-out over HTTP (document 000 shapes)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from kindred.auth.models import AuthSession
from kindred.core.db.session import Database
from kindred.core.db.types import utcnow
from kindred.users.models import User
from tests.conftest import client_for
from tests.factories import PASSWORD, signup, unique_email

ERROR_KEYS = {"error", "code", "status", "details", "timestamp"}


def signup_body(**overrides: str) -> dict[str, str]:
    return {
        "name": "John Doe",
        "email": unique_email("john"),
        "password": "securePassword123",
        "businessName": "Acme Corp",
        "industry": "Technology",
    } | overrides


async def test_signup_returns_the_documented_success_shape(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/signup", json=signup_body())
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Account created successfully"
    assert isinstance(body["userId"], str)
    assert body["userId"]


async def test_signup_creates_a_workspace_named_after_the_business(app: FastAPI) -> None:
    owner = await signup(app, business="Sunshine Dental")
    workspaces = (await owner.client.get("/api/workspaces")).json()
    assert [(w["name"], w["industry"], w["role"]) for w in workspaces] == [
        ("Sunshine Dental", "Technology", "admin")
    ]


async def test_signup_with_an_existing_email_is_a_400(client: httpx.AsyncClient) -> None:
    body = signup_body()
    assert (await client.post("/api/signup", json=body)).status_code == 200
    again = await client.post("/api/signup", json=body | {"email": body["email"].upper()})
    assert again.status_code == 400
    assert again.json()["error"] == "Email already exists"
    assert again.json().keys() >= ERROR_KEYS


async def test_signup_with_a_weak_password_names_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/signup", json=signup_body(password="short"))
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["details"]] == ["password"]


async def test_signup_with_a_malformed_email_names_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/signup", json=signup_body(email="not-an-email"))
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["details"]] == ["email"]


async def test_passwords_are_stored_as_argon2id_hashes(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    async with database.session_scope() as session:
        stored = await session.scalar(select(User.password_hash).where(User.email == owner.email))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert "m=19456,t=2" in stored
    assert PASSWORD not in stored


async def test_signin_sets_an_httponly_lax_session_cookie(app: FastAPI) -> None:
    owner = await signup(app)
    async with client_for(app) as browser:
        response = await browser.post(
            "/api/auth/signin", json={"email": owner.email, "password": PASSWORD}
        )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert response.json()["user"]["email"] == owner.email


async def test_signin_answers_with_the_workspace_and_role_the_session_acts_in(
    app: FastAPI,
) -> None:
    owner = await signup(app)
    async with client_for(app) as browser:
        signed_in = await browser.post(
            "/api/auth/signin", json={"email": owner.email, "password": PASSWORD}
        )
        current = await browser.get("/api/auth/session")
    assert signed_in.json()["user"]["workspaceId"] == owner.workspace_id
    assert signed_in.json()["user"] == current.json()["user"]


async def test_signin_accepts_a_form_encoded_body(app: FastAPI) -> None:
    owner = await signup(app)
    async with client_for(app) as browser:
        response = await browser.post(
            "/api/auth/signin", data={"email": owner.email, "password": PASSWORD}
        )
        assert response.status_code == 200
        assert (await browser.get("/api/auth/session")).json()["user"]["email"] == owner.email


async def test_wrong_password_and_unknown_email_get_the_same_401(app: FastAPI) -> None:
    owner = await signup(app)
    async with client_for(app) as browser:
        wrong = await browser.post(
            "/api/auth/signin", json={"email": owner.email, "password": "wrong-password"}
        )
        unknown = await browser.post(
            "/api/auth/signin", json={"email": unique_email(), "password": PASSWORD}
        )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == unknown.json()["error"] == "Invalid email or password"
    assert "set-cookie" not in wrong.headers


async def test_session_returns_the_user_and_expiry(app: FastAPI) -> None:
    owner = await signup(app)
    session = (await owner.client.get("/api/auth/session")).json()
    assert session["user"] == {
        "id": owner.user_id,
        "email": owner.email,
        "name": "Owner",
        "role": "USER",
        "workspaceId": owner.workspace_id,
        "workspaceRole": "admin",
    }
    assert session["expires"].endswith("Z")


async def test_an_expired_session_is_rejected(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    async with database.session_scope() as session:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.user_id == uuid.UUID(owner.user_id))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    response = await owner.client.get("/api/auth/session")
    assert response.status_code == 401


async def test_session_tokens_are_stored_only_as_hashes(app: FastAPI, database: Database) -> None:
    owner = await signup(app)
    token = owner.client.cookies["kindred_session"]
    async with database.session_scope() as session:
        stored = (await session.scalars(select(AuthSession.token_hash))).all()
    assert token not in stored
    assert all(len(value) == 64 for value in stored)


async def test_signout_ends_the_session(app: FastAPI) -> None:
    owner = await signup(app)
    token = owner.client.cookies["kindred_session"]
    assert (await owner.client.post("/api/auth/signout")).status_code == 200
    async with client_for(app) as replay:
        replay.cookies.set("kindred_session", token)
        assert (await replay.get("/api/auth/session")).status_code == 401


async def test_the_nextauth_cookie_name_is_accepted(app: FastAPI) -> None:
    owner = await signup(app)
    token = owner.client.cookies["kindred_session"]
    async with client_for(app) as nextauth_client:
        nextauth_client.cookies.set("next-auth.session-token", token)
        assert (await nextauth_client.get("/api/auth/session")).status_code == 200


async def test_protected_routes_without_credentials_get_the_401_shape(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/api-keys")
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "Unauthorized"
    assert body["status"] == 401
    assert body.keys() >= ERROR_KEYS
