"""Document 003's banlist examples: add, list with cursor pages and sorting, remove; entries
match after normalisation."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup

ENTRY_KEYS = {"createdAt", "email", "id", "messageGot", "phone", "reason", "sentimentScore"}


async def test_add_list_and_remove_as_documented(app: FastAPI) -> None:
    owner = await signup(app)
    added = await owner.client.post(
        "/api/auth/banned",
        json={"email": "Spam@Example.com", "phone": "+1 (555) 123-4567", "reason": "abuse"},
    )
    assert added.status_code == 200, added.text
    assert added.json()["success"] is True
    listed = await owner.client.get("/api/auth/banned")
    body = listed.json()
    assert body["success"] is True
    assert body["nextCursor"] is None
    [entry] = body["data"]
    assert entry.keys() == ENTRY_KEYS
    assert (entry["email"], entry["phone"]) == ("spam@example.com", "+15551234567")
    removed = await owner.client.request(
        "DELETE", f"/api/auth/banned/{entry['id']}", json={"id": entry["id"]}
    )
    assert removed.json() == {"success": True}
    assert (await owner.client.get("/api/auth/banned")).json()["data"] == []


async def test_cursor_pages_follow_sort_by_and_order(app: FastAPI) -> None:
    owner = await signup(app)
    for name in ("carol", "alice", "bob"):
        await owner.client.post("/api/auth/banned", json={"email": f"{name}@example.com"})
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "sortBy": "email", "sortOrder": "asc"} | (
            {"cursor": cursor} if cursor else {}
        )
        page = (await owner.client.get("/api/auth/banned", params=params)).json()
        seen += [entry["email"] for entry in page["data"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == ["alice@example.com", "bob@example.com", "carol@example.com"]
    newest = await owner.client.get("/api/auth/banned", params={"sortBy": "createdAt", "limit": 1})
    assert newest.json()["data"][0]["email"] == "bob@example.com"


async def test_malformed_cursor_is_a_400(app: FastAPI) -> None:
    owner = await signup(app)
    answer = await owner.client.get("/api/auth/banned", params={"cursor": "not-a-cursor"})
    assert answer.status_code == 400


async def test_other_workspaces_entry_cannot_be_removed(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    added = await owner.client.post("/api/auth/banned", json={"phone": "+15551234567"})
    removed = await stranger.client.delete(f"/api/auth/banned/{added.json()['id']}")
    assert removed.status_code == 404
    assert len((await owner.client.get("/api/auth/banned")).json()["data"]) == 1
