"""The audit log records who created, changed or deleted what, automatically."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from tests.factories import Actor, signup


async def _entries(actor: Actor, **filters: str) -> list[dict[str, Any]]:
    response = await actor.client.get("/api/audit-log", params=filters)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


async def test_creating_a_key_is_recorded_with_its_actor_and_masked_secrets(app: FastAPI) -> None:
    owner = await signup(app)
    _, key = await owner.api_key_client("ci key")

    [entry] = await _entries(owner, entityType="api_keys", entityId=key["id"])

    assert entry["action"] == "create"
    assert entry["actorId"] == owner.user_id
    assert entry["apiKeyId"] is None
    assert entry["changes"]["name"] == {"new": "ci key"}
    assert entry["changes"]["key_hash"] == {"new": "***"}
    assert key["rawKey"] not in str(entry)


async def test_revoking_a_key_records_old_and_new_values(app: FastAPI) -> None:
    owner = await signup(app)
    _, key = await owner.api_key_client()
    assert (await owner.client.delete(f"/api/api-keys/{key['id']}")).status_code == 200

    [entry] = await _entries(owner, entityId=key["id"], action="update")

    assert entry["changes"]["is_active"] == {"old": True, "new": False}
    assert entry["changes"]["revoked_at"]["old"] is None


async def test_using_a_key_is_not_an_audited_change(app: FastAPI) -> None:
    owner = await signup(app)
    key_client, key = await owner.api_key_client()
    assert (await key_client.get("/api/auth/session")).status_code == 200

    assert await _entries(owner, entityId=key["id"], action="update") == []


async def test_role_changes_and_removals_are_recorded(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    await owner.client.put(f"/api/users/{member.user_id}", json={"role": "admin"})
    await owner.client.delete(f"/api/users/{member.user_id}")

    changes = await _entries(owner, entityType="memberships", action="update")
    removals = await _entries(owner, entityType="memberships", action="delete")

    assert changes[0]["changes"]["role"] == {"old": "member", "new": "admin"}
    assert changes[0]["actorId"] == owner.user_id
    assert removals[0]["changes"]["user_id"] == {"old": member.user_id}


async def test_signup_records_the_workspace_and_first_membership(app: FastAPI) -> None:
    owner = await signup(app)

    [workspace] = await _entries(owner, entityType="workspaces")
    memberships = await _entries(owner, entityType="memberships", action="create")

    assert workspace["entityId"] == owner.workspace_id
    assert workspace["changes"]["name"] == {"new": "Acme Corp"}
    assert [m["changes"]["role"] for m in memberships] == [{"new": "admin"}]


async def test_changes_made_with_an_api_key_name_the_key(app: FastAPI) -> None:
    owner = await signup(app)
    key_client, key = await owner.api_key_client()
    created = await key_client.post("/api/api-keys", json={"name": "made by key"})

    [entry] = await _entries(owner, entityId=created.json()["id"])

    assert entry["apiKeyId"] == key["id"]
    assert entry["actorId"] == owner.user_id


async def test_filters_and_paging(app: FastAPI) -> None:
    owner = await signup(app)
    for name in ("one", "two", "three"):
        await owner.api_key_client(name)
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()

    response = await owner.client.get(
        "/api/audit-log", params={"entityType": "api_keys", "pageSize": 2, "page": 2}
    )
    body = response.json()

    assert (body["total"], body["page"], body["pageSize"], body["totalPages"]) == (3, 2, 2, 2)
    assert len(body["entries"]) == 1
    assert await _entries(owner, actorId=owner.user_id, entityType="api_keys") != []
    assert await _entries(owner, since=later) == []


async def test_another_workspace_sees_none_of_the_entries(app: FastAPI) -> None:
    owner = await signup(app)
    other = await signup(app)
    _, key = await owner.api_key_client()

    assert await _entries(other, entityId=key["id"]) == []
    assert all(e["entityId"] != owner.workspace_id for e in await _entries(other))


async def test_members_cannot_read_the_audit_log(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    response: httpx.Response = await member.client.get("/api/audit-log")
    assert response.status_code == 403
