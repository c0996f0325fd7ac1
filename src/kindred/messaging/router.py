"""Messages and conversations (document 000) and the inbox actions; the sandbox, provider
webhooks and web chat routes are included from their own modules."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kindred.core.db.session import DbSession
from kindred.core.deps import ContactsRead, ContactsWrite
from kindred.core.errors import error_response
from kindred.messaging import conversations, service
from kindred.messaging.chat_router import router as chat_router
from kindred.messaging.deps import AppSettings
from kindred.messaging.models import Channel, Conversation, ConversationStatus
from kindred.messaging.sandbox_router import router as sandbox_router
from kindred.messaging.schemas import (
    AssignInput,
    ConversationList,
    ConversationRead,
    MessageList,
    MessageRead,
    SendInput,
    TagsInput,
)
from kindred.messaging.webhooks_router import router as webhooks_router

router = APIRouter(tags=["messages"])
CONVERSATION_404: dict[int | str, dict[str, Any]] = {404: {"description": "Conversation not found"}}


@router.get("/api/messages", response_model=ConversationList, summary="List conversations")
async def list_conversations(
    principal: ContactsRead, session: DbSession, channel: Annotated[Channel | None, Query()] = None
) -> Any:
    rows = await conversations.list_conversations(session, principal.workspace, channel)
    return {"conversations": rows}


@router.get(
    "/api/messages/{conversation_id}",
    response_model=MessageList,
    summary="A conversation's messages, oldest first",
    responses=CONVERSATION_404,
)
async def conversation_messages(
    conversation_id: uuid.UUID, principal: ContactsRead, session: DbSession
) -> Any:
    return {"messages": await conversations.thread(session, principal.workspace, conversation_id)}


@router.post(
    "/api/messages",
    response_model=MessageRead,
    summary="Send a message to a contact (or answer a conversation)",
    responses={
        404: {"description": "Contact or conversation not found"},
        422: {"description": "Refused by the consent gate; the FAILED message is kept"},
    },
)
async def send_message(
    body: SendInput, principal: ContactsWrite, session: DbSession, settings: AppSettings
) -> Any:
    conversation, contact = await service.target(
        session,
        principal.workspace,
        contact_id=body.contact_id,
        conversation_id=body.conversation_id,
        channel=body.channel,
    )
    draft = service.Draft(content=body.content, subject=body.subject, html=body.html)
    message, refusal = await service.send(
        session,
        settings,
        principal.workspace,
        conversation,
        contact,
        draft,
        user_id=principal.user.id,
    )
    if refusal is None:
        return message
    # Answered, not raised: the FAILED message must be committed with the request.
    return error_response(
        refusal.status,
        refusal.code,
        refusal.message,
        reason=refusal.message,
        messageId=str(message.id),
    )


async def _answer(session: DbSession, principal: ContactsWrite, conversation: Conversation) -> Any:
    return await conversations.read(session, principal.workspace, conversation)


@router.post(
    "/api/conversations/{conversation_id}/assign",
    response_model=ConversationRead,
    summary="Assign a conversation to a member (userId null: unassign)",
    responses=CONVERSATION_404,
)
async def assign(
    conversation_id: uuid.UUID, body: AssignInput, principal: ContactsWrite, session: DbSession
) -> Any:
    found = await conversations.assign(session, principal.workspace, conversation_id, body.user_id)
    return await _answer(session, principal, found)


@router.post(
    "/api/conversations/{conversation_id}/close",
    response_model=ConversationRead,
    summary="Close a conversation",
    responses=CONVERSATION_404,
)
async def close(conversation_id: uuid.UUID, principal: ContactsWrite, session: DbSession) -> Any:
    found = await conversations.set_status(
        session, principal.workspace, conversation_id, ConversationStatus.CLOSED
    )
    return await _answer(session, principal, found)


@router.post(
    "/api/conversations/{conversation_id}/reopen",
    response_model=ConversationRead,
    summary="Reopen a conversation",
    responses=CONVERSATION_404,
)
async def reopen(conversation_id: uuid.UUID, principal: ContactsWrite, session: DbSession) -> Any:
    found = await conversations.set_status(
        session, principal.workspace, conversation_id, ConversationStatus.OPEN
    )
    return await _answer(session, principal, found)


@router.post(
    "/api/conversations/{conversation_id}/read",
    response_model=ConversationRead,
    summary="Mark a conversation read",
    responses=CONVERSATION_404,
)
async def mark_read(
    conversation_id: uuid.UUID, principal: ContactsWrite, session: DbSession
) -> Any:
    found = await conversations.mark_read(session, principal.workspace, conversation_id)
    return await _answer(session, principal, found)


@router.put(
    "/api/conversations/{conversation_id}/tags",
    response_model=ConversationRead,
    summary="Replace a conversation's tags",
    responses=CONVERSATION_404,
)
async def set_tags(
    conversation_id: uuid.UUID, body: TagsInput, principal: ContactsWrite, session: DbSession
) -> Any:
    found = await conversations.set_tags(session, principal.workspace, conversation_id, body.tags)
    return await _answer(session, principal, found)


router.include_router(sandbox_router)
router.include_router(webhooks_router)
router.include_router(chat_router)
