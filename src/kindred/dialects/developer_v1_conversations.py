"""Document 004's `GET /api/v1/conversations`: the helpdesk's web-chat conversations, as a
bare array with its field names (a second module of the developer dialect)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kindred.core.db.session import DbSession
from kindred.core.deps import ContactsRead
from kindred.core.schemas import ApiModel
from kindred.dialects.developer_v1 import LIST_LIMIT
from kindred.messaging import chat

router = APIRouter(prefix="/api/v1", tags=["developer-v1"])


class V1Conversation(ApiModel):
    id: uuid.UUID
    company_id: uuid.UUID | None
    visitor_name: str | None
    visitor_email: str | None
    visitor_ip: str | None
    user_agent: str | None
    referrer_url: str | None
    page_url: str | None
    status: str
    assigned_to_user_id: uuid.UUID | None
    is_read: bool
    trust_uploads: bool
    tags: list[str]
    last_message_at: datetime | None
    created_at: datetime
    updated_at: datetime


@router.get(
    "/conversations",
    response_model=list[V1Conversation],
    summary="Chat conversations, optionally of one company",
)
async def list_conversations(
    principal: ContactsRead,
    session: DbSession,
    company_id: Annotated[uuid.UUID | None, Query(alias="companyId")] = None,
) -> Any:
    return await chat.chat_conversations(session, principal.workspace, company_id, LIST_LIMIT)
