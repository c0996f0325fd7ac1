"""Web chat: a site visitor opens a CHAT conversation (what they tell us and where they came
from is recorded) and gets a token, shown once and stored only as a digest, with which they
post messages and read the agents' replies. Agents answer through `POST /api/messages`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.companies import service as companies
from kindred.core.errors import NotFound
from kindred.core.tokens import new_token, token_digest
from kindred.messaging.models import Channel, Conversation, Message
from kindred.messaging.repository import (
    ConversationRepository,
    MessageRepository,
    VisitorConversations,
)
from kindred.messaging.service import Inbound, receive
from kindred.workspaces import service as workspaces

TOKEN_PREFIX = "kch_"
VISIBLE_MESSAGES = 500


class ChatNotFound(NotFound):
    message = "Chat conversation not found"


@dataclass(frozen=True)
class Visitor:
    name: str | None
    email: str | None
    ip: str | None
    user_agent: str | None
    referrer_url: str | None
    page_url: str | None


async def start(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    visitor: Visitor,
    company_id: uuid.UUID | None,
    first_message: str | None,
) -> tuple[Conversation, str]:
    """Opens the visitor's conversation; returns it and the visitor's token."""
    await workspaces.get_workspace(session, workspace_id)
    if company_id is not None:
        await companies.get_company(session, workspace_id, company_id)
    token = new_token(TOKEN_PREFIX)
    conversation = await ConversationRepository(session, workspace_id).add(
        Conversation(
            channel=Channel.CHAT.value,
            company_id=company_id,
            visitor_name=visitor.name,
            visitor_email=visitor.email,
            visitor_ip=visitor.ip,
            user_agent=visitor.user_agent,
            referrer_url=visitor.referrer_url,
            page_url=visitor.page_url,
            visitor_token_digest=token_digest(token),
        )
    )
    if first_message:
        await post(session, conversation, first_message)
    return conversation, token


async def visitor_conversation(
    session: AsyncSession, conversation_id: uuid.UUID, token: str | None
) -> Conversation:
    found = None
    if token:
        found = await VisitorConversations(session).by_token(conversation_id, token_digest(token))
    if found is None:
        raise ChatNotFound()
    return found


async def post(session: AsyncSession, conversation: Conversation, content: str) -> Message:
    inbound = Inbound(
        channel=Channel.CHAT, content=content, from_address=conversation.visitor_email
    )
    return await receive(session, conversation.workspace_id, None, conversation, inbound)


async def visible_messages(session: AsyncSession, conversation: Conversation) -> Sequence[Message]:
    repository = MessageRepository(session, conversation.workspace_id)
    return await repository.of_conversation(conversation, VISIBLE_MESSAGES)


async def chat_conversations(
    session: AsyncSession, workspace_id: uuid.UUID, company_id: uuid.UUID | None, limit: int
) -> Sequence[Conversation]:
    """The workspace's web-chat conversations, newest activity first (document 004)."""
    repository = ConversationRepository(session, workspace_id)
    return await repository.all(repository.listed(Channel.CHAT.value, company_id).limit(limit))
