"""Document 004's `GET /api/v1/conversations` example: a bare array with its field names,
optionally of one company."""

from __future__ import annotations

from fastapi import FastAPI

from tests.conftest import client_for
from tests.factories import signup

CONVERSATION_KEYS = {
    "id",
    "companyId",
    "visitorName",
    "visitorEmail",
    "visitorIp",
    "userAgent",
    "referrerUrl",
    "pageUrl",
    "status",
    "assignedToUserId",
    "isRead",
    "trustUploads",
    "tags",
    "lastMessageAt",
    "createdAt",
    "updatedAt",
}


async def test_conversations_by_company_as_documented(app: FastAPI) -> None:
    owner = await signup(app)
    company = await owner.client.post("/api/companies", json={"name": "Acme Corporation"})
    company_id = company.json()["id"]
    async with client_for(app) as visitor:
        for company_given in (company_id, None):
            started = await visitor.post(
                f"/api/chat/{owner.workspace_id}/conversations",
                json={
                    "companyId": company_given,
                    "visitorName": "Jane Smith",
                    "visitorEmail": "jane@example.com",
                    "pageUrl": "https://acme.com/pricing",
                    "message": "Hi",
                },
            )
            assert started.status_code == 201, started.text
    keys, _ = await owner.api_key_client()
    everything = (await keys.get("/api/v1/conversations")).json()
    assert len(everything) == 2
    of_company = (await keys.get(f"/api/v1/conversations?companyId={company_id}")).json()
    [conversation] = of_company
    assert conversation.keys() == CONVERSATION_KEYS
    assert (conversation["status"], conversation["isRead"], conversation["tags"]) == (
        "open",
        False,
        [],
    )
    assert conversation["lastMessageAt"].endswith("Z")
