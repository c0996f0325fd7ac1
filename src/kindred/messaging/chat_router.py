"""The public web-chat endpoints (rate-limited per IP as public paths under `/api/chat`):
a visitor opens a conversation on the workspace whose site embeds the chat (the workspace id
is public, like any chat widget's site id), then posts and reads with the token it was given."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from pydantic import EmailStr, Field

from kindred.core.db.session import DbSession
from kindred.core.requests import client_ip
from kindred.core.schemas import ApiModel, InputModel
from kindred.messaging import chat

router = APIRouter(prefix="/api/chat", tags=["web chat"])
TOKEN_HEADER = "X-Chat-Token"
Text = Annotated[str, Field(min_length=1, max_length=5000)]
URL_LENGTH, USER_AGENT_LENGTH = 2000, 500  # the conversation's columns


class ChatStart(InputModel):
    company_id: uuid.UUID | None = None
    visitor_name: Annotated[str | None, Field(max_length=200)] = None
    visitor_email: EmailStr | None = None
    referrer_url: Annotated[str | None, Field(max_length=URL_LENGTH)] = None
    page_url: Annotated[str | None, Field(max_length=URL_LENGTH)] = None
    message: Text | None = None


class ChatPost(InputModel):
    content: Text


class ChatMessage(ApiModel):
    id: uuid.UUID
    content: str
    direction: str
    created_at: datetime


class ChatStarted(ApiModel):
    conversation_id: uuid.UUID
    token: str


def _header(request: Request, name: str, length: int) -> str | None:
    """A request header as recorded: cut to its column's length (any client can send any)."""
    return (request.headers.get(name) or "")[:length] or None


@router.post(
    "/{workspace_id}/conversations",
    response_model=ChatStarted,
    status_code=201,
    summary="Start a web chat on a workspace's site (the token is shown once)",
    responses={404: {"description": "Unknown workspace or company"}},
)
async def start_chat(
    workspace_id: uuid.UUID, body: ChatStart, request: Request, session: DbSession
) -> Any:
    visitor = chat.Visitor(
        name=body.visitor_name,
        email=body.visitor_email,
        ip=client_ip(request),
        user_agent=_header(request, "user-agent", USER_AGENT_LENGTH),
        referrer_url=body.referrer_url or _header(request, "referer", URL_LENGTH),
        page_url=body.page_url,
    )
    conversation, token = await chat.start(
        session, workspace_id, visitor, body.company_id, body.message
    )
    return {"conversation_id": conversation.id, "token": token}


ChatToken = Annotated[str | None, Header(alias=TOKEN_HEADER, max_length=200)]


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=ChatMessage,
    status_code=201,
    summary="Send a visitor message",
    responses={404: {"description": "Unknown conversation or wrong token"}},
)
async def post_message(
    conversation_id: uuid.UUID, body: ChatPost, session: DbSession, token: ChatToken = None
) -> Any:
    conversation = await chat.visitor_conversation(session, conversation_id, token)
    return await chat.post(session, conversation, body.content)


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=list[ChatMessage],
    summary="The conversation as the visitor sees it",
    responses={404: {"description": "Unknown conversation or wrong token"}},
)
async def read_messages(
    conversation_id: uuid.UUID, session: DbSession, token: ChatToken = None
) -> Any:
    conversation = await chat.visitor_conversation(session, conversation_id, token)
    return await chat.visible_messages(session, conversation)
