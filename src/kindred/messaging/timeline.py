"""A contact's campaign messages on its timeline.

A campaign writes no timeline row per recipient: its message row already says what was sent to
whom and when, and a second copy of every body is a quarter of what a send writes. The
timeline reads them from the messages instead, beside its own rows (`contacts.interactions`);
like the other messages' entries, they are `<channel>_sent` with the subject and text, and
their metadata names the message and its campaign. They cannot be deleted from the timeline:
they are the campaign's record of what it sent.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.messaging.repository import MessageRepository


def campaign_sends(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID
) -> Select[*tuple[Any, ...]]:
    """A SELECT of the contact's campaign messages that the gate let through, as timeline
    entries: columns id, contact_id, type, subject, body, occurred_at, user_id (NULL),
    created_at, metadata (NULL: `metadata` makes it) and campaign_id."""
    return MessageRepository(session, workspace_id).campaign_sends_of(contact_id)


def metadata(message_id: uuid.UUID, campaign_id: uuid.UUID) -> dict[str, str]:
    return {"messageId": str(message_id), "campaignId": str(campaign_id)}
