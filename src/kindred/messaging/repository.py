"""Statements on conversations, messages, sandbox captures and Twilio accounts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete, func, select, update

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

    async def ids_of_contacts(
        self, contact_ids: Sequence[uuid.UUID], channel: str
    ) -> dict[uuid.UUID, uuid.UUID]:
        """Each contact's first conversation on the channel, for those that have one."""
        if not contact_ids:
            return {}
        statement = (
            select(Conversation.contact_id, Conversation.id)
            .where(
                Conversation.workspace_id == self.workspace_id,
                among(self.session, Conversation.contact_id, contact_ids),
                Conversation.channel == channel,
            )
            .order_by(Conversation.created_at.desc())
        )
        # Newest first, so the dict keeps each contact's oldest, as `of_contact` picks.
        rows = await self.session.execute(statement)
        return {row.contact_id: row.id for row in rows if row.contact_id is not None}

    async def set_last_message_at(
        self, conversation_ids: Sequence[uuid.UUID], at: datetime
    ) -> None:
        if conversation_ids:
            await self.session.execute(
                update(Conversation)
                .where(
                    Conversation.workspace_id == self.workspace_id,
                    among(self.session, Conversation.id, conversation_ids),
                )
                .values(last_message_at=at)
                .execution_options(synchronize_session=False)
            )

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

    async def of_conversation(self, conversation_id: uuid.UUID, limit: int) -> Sequence[Message]:
        """The conversation's newest `limit` messages, oldest first (a long thread shows its
        latest messages, not its first ones)."""
        statement = (
            self.base()
            .where(Message.conversation_id == conversation_id)
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
        return {row.conversation_id: row for row in rows}

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
