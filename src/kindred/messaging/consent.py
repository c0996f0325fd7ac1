"""A contact's per-channel consent, kept in `communicationPreferences` (`{"sms": false}`)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import service as contacts
from kindred.contacts.models import Contact


async def set_channel_allowed(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    contact_id: uuid.UUID,
    channel: str,
    *,
    allowed: bool,
) -> Contact:
    """Opts the contact in or out of one channel (STOP/START, unsubscribe events); returns
    the contact as it is now."""
    contact = await contacts.get_contact(session, workspace_id, contact_id)
    preferences = {
        key: value
        for key, value in (contact.communication_preferences or {}).items()
        if key.lower() != channel.lower()
    }
    preferences[channel.lower()] = allowed
    return await contacts.update_contact(
        session, workspace_id, contact_id, {"communication_preferences": preferences}
    )
