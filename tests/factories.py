"""Real objects made through the API: accounts, workspaces, members, API keys.

Every test makes its own actors with unique emails, so tests sharing a module database never
see each other's data (which is also what tenancy guarantees).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import delete, update

from kindred.contacts.models import FieldDefinition
from kindred.core.db.session import Database
from kindred.core.db.types import utcnow
from kindred.core.jobs import Job, JobStatus
from tests.conftest import client_for

PASSWORD = "correct-horse-battery"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


@dataclass
class Actor:
    """A signed-in user acting in one workspace, with a cookie-authenticated client."""

    app: FastAPI
    user_id: str
    email: str
    workspace_id: str
    role: str
    client: httpx.AsyncClient

    async def api_key_client(
        self, name: str = "test key"
    ) -> tuple[httpx.AsyncClient, dict[str, str]]:
        """A new API key of this actor's workspace and a client sending it as a Bearer token."""
        created = await self.client.post("/api/api-keys", json={"name": name})
        assert created.status_code == 201, created.text
        key = created.json()
        return client_for(self.app, authorization=f"Bearer {key['rawKey']}"), key

    async def add_member(self, role: str) -> Actor:
        """A new account added to this workspace with `role`, signed in."""
        email = unique_email(role)
        added = await self.client.post(
            "/api/users",
            json={"email": email, "name": role.title(), "password": PASSWORD, "role": role},
        )
        assert added.status_code == 201, added.text
        member = await signin(self.app, email)
        member.workspace_id = self.workspace_id
        member.role = role
        member.client.headers["x-workspace-id"] = self.workspace_id
        return member


async def signin(app: FastAPI, email: str, password: str = PASSWORD) -> Actor:
    client = client_for(app)
    response = await client.post("/api/auth/signin", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    session = (await client.get("/api/auth/session")).json()["user"]
    return Actor(
        app=app,
        user_id=user["id"],
        email=email,
        workspace_id=session.get("workspaceId") or "",
        role=session.get("workspaceRole") or "",
        client=client,
    )


async def signup(app: FastAPI, business: str = "Acme Corp", **overrides: str) -> Actor:
    """A new account with its own workspace (the actor is its admin), signed in."""
    body = {
        "name": "Owner",
        "email": unique_email("owner"),
        "password": PASSWORD,
        "businessName": business,
        "industry": "Technology",
    } | overrides
    async with client_for(app) as anonymous:
        response = await anonymous.post("/api/signup", json=body)
    assert response.status_code == 200, response.text
    return await signin(app, body["email"], body["password"])


async def drop_field_definition(actor: Actor, name: str) -> None:
    """Deletes the workspace's definition of the custom field `name` straight from the
    database, past the API's check that no saved filter needs it (as a Kindred without that
    check let a user do): the filters it typed no longer parse, a state stored data may be in
    and the engines must still handle."""
    database = actor.app.state.database
    async with database.session_scope() as session:
        await session.execute(
            delete(FieldDefinition).where(
                FieldDefinition.workspace_id == uuid.UUID(actor.workspace_id),
                FieldDefinition.name == name,
            )
        )


async def lose_worker_on_last_attempt(database: Database, job_id: uuid.UUID) -> None:
    """The job as a worker that died during its last attempt leaves it: RUNNING, out of
    attempts, its lease run out."""
    async with database.session_scope() as session:
        await session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status=JobStatus.RUNNING.value,
                attempts=Job.max_attempts,
                locked_until=utcnow() - timedelta(seconds=1),
            )
        )
