"""Statements on conversations, messages, sandbox captures and Twilio accounts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, Uuid, and_, delete, func, null, or_, select
from sqlalchemy import cast as sql_cast

from kindred.core.db import PortableJSON
from kindred.core.db.dialect import among
from kindred.core.errors import NotFound
from kindred.core.repository import Repository, WorkspaceRepository
from kindred.messaging.models import Conversation, Message, SandboxMessage, TwilioAccount


class ConversationNotFound(NotFound):
    message = "Conversation not found"


class MessageNotFound(NotFound):
    message = "Message not found"


class SandboxMessageNotFound(NotFound):
    message = "Sandbox email not found"


class ConversationRepository(WorkspaceRepository[Conversation]):
    model = Conversation
    not_found = ConversationNotFound

    async def of_contact(self, contact_id: uuid.UUID, channel: str) -> Conversation | None:
        statement = (
            self.base()
            .where(Conversation.contact_id == contact_id, Conversation.channel == channel)
            .order_by(Conversation.created_at)
            .limit(1)
        )
        found: Conversation | None = await self.session.scalar(statement)
        return found

    def listed(
        self, channel: str | None, company_id: uuid.UUID | None = None
    ) -> Select[Conversation]:
        statement = self.base()
        if channel is not None:
            statement = statement.where(Conversation.channel == channel)
        if company_id is not None:
            statement = statement.where(Conversation.company_id == company_id)
        last = func.coalesce(Conversation.last_message_at, Conversation.created_at)
        return statement.order_by(last.desc(), Conversation.id.desc())


class MessageRepository(WorkspaceRepository[Message]):
    model = Message
    not_found = MessageNotFound

    async def of_conversation(self, conversation: Conversation, limit: int) -> Sequence[Message]:
        """The conversation's newest `limit` messages, oldest first (a long thread shows its
        latest messages, not its first ones), with its contact's campaign messages on its
        channel: a campaign's messages belong to no conversation (`bulk`), yet a reply to one
        is read beside it."""
        shown = Message.conversation_id == conversation.id
        if conversation.contact_id is not None:
            campaigns = and_(
                Message.conversation_id.is_(None),
                Message.contact_id == conversation.contact_id,
                Message.channel == conversation.channel,
            )
            shown = or_(shown, campaigns)
        statement = (
            self.base()
            .where(shown)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(limit)
        )
        return list(reversed(await self.all(statement)))

    async def latest_of(self, conversation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Message]:
        """Each conversation's newest message, in one query."""
        if not conversation_ids:
            return {}
        newest = (
            select(Message.conversation_id, func.max(Message.created_at).label("last_at"))
            .where(
                Message.workspace_id == self.workspace_id,
                among(self.session, Message.conversation_id, conversation_ids),
            )
            .group_by(Message.conversation_id)
            .subquery()
        )
        joined = self.base().join(
            newest,
            (Message.conversation_id == newest.c.conversation_id)
            & (Message.created_at == newest.c.last_at),
        )
        rows = await self.all(joined.order_by(Message.id))
        return {row.conversation_id: row for row in rows if row.conversation_id is not None}

    def campaign_sends_of(self, contact_id: uuid.UUID) -> Select[*tuple[Any, ...]]:
        """See `messaging.timeline.campaign_sends` (a refused message has no address)."""
        statement: Select[*tuple[Any, ...]] = select(
            Message.id,
            Message.contact_id,
            func.lower(Message.channel).concat("_sent").label("type"),
            Message.subject,
            Message.content.label("body"),
            Message.created_at.label("occurred_at"),
            sql_cast(null(), Uuid()).label("user_id"),
            Message.created_at,
            sql_cast(null(), PortableJSON).label("metadata"),
            Message.campaign_id,
        ).where(
            Message.workspace_id == self.workspace_id,
            Message.contact_id == contact_id,
            Message.campaign_id.is_not(None),
            Message.to_address.is_not(None),
        )
        return statement

    async def recent_of_contact(self, contact_id: uuid.UUID, limit: int) -> Sequence[Message]:
        statement = (
            self.base()
            .where(Message.contact_id == contact_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(limit)
        )
        return await self.all(statement)


class ProviderMessageLookup(Repository[Message]):
    """Status callbacks name the provider's message id and no workspace; the id is unique
    to one message, whose row then names its workspace."""

    model = Message

    async def by_provider_id(self, provider: str, provider_message_id: str) -> Message | None:
        statement = select(Message).where(
            Message.provider == provider, Message.provider_message_id == provider_message_id
        )
        found: Message | None = await self.session.scalar(statement.limit(1))
        return found


class SandboxRepository(WorkspaceRepository[SandboxMessage]):
    model = SandboxMessage
    not_found = SandboxMessageNotFound

    def filtered(
        self,
        *,
        campaign_id: uuid.UUID | None,
        to: str | None,
        status: str | None,
        since: datetime | None,
    ) -> Select[SandboxMessage]:
        statement = self.base()
        if campaign_id is not None:
            statement = statement.where(SandboxMessage.campaign_id == campaign_id)
        if to:
            statement = statement.where(SandboxMessage.to_address == to.strip().lower())
        if status:
            statement = statement.where(SandboxMessage.status == status)
        if since is not None:
            statement = statement.where(SandboxMessage.created_at >= since)
        return statement.order_by(SandboxMessage.created_at.desc(), SandboxMessage.id.desc())

    async def clear(self, campaign_id: uuid.UUID | None) -> int:
        statement = delete(SandboxMessage).where(SandboxMessage.workspace_id == self.workspace_id)
        if campaign_id is not None:
            statement = statement.where(SandboxMessage.campaign_id == campaign_id)
        result = await self.session.execute(statement.execution_options(synchronize_session=False))
        return cast(CursorResult[Any], result).rowcount


class TwilioAccountRepository(WorkspaceRepository[TwilioAccount]):
    model = TwilioAccount

    async def current(self) -> TwilioAccount | None:
        found: TwilioAccount | None = await self.session.scalar(self.base())
        return found


class VisitorConversations(Repository[Conversation]):
    """A web-chat visitor holds a conversation id and its token, not a workspace."""

    model = Conversation

    async def by_token(self, conversation_id: uuid.UUID, token_digest: str) -> Conversation | None:
        statement = select(Conversation).where(
            Conversation.id == conversation_id,
            Conversation.channel == "CHAT",
            Conversation.visitor_token_digest == token_digest,
        )
        found: Conversation | None = await self.session.scalar(statement)
        return found
