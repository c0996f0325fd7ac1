"""Contacts as other domains read them: several by id, and the dashboard's contact figures.

Added for the sales pipeline (issue 5): deals and appointments embed contacts, analytics
counts them; all through this module instead of the contacts tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.errors import ContactNotFound
from kindred.contacts.models import Contact
from kindred.contacts.repository.stats import ContactLookupRepository


async def contacts_by_ids(
    session: AsyncSession, workspace_id: uuid.UUID, contact_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Contact]:
    """The workspace's contacts among `contact_ids` (others' and unknown ids are absent)."""
    found = await ContactLookupRepository(session, workspace_id).by_ids(contact_ids)
    return {contact.id: contact for contact in found}


async def require_contacts(
    session: AsyncSession, workspace_id: uuid.UUID, contact_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Contact]:
    """Like `contacts_by_ids`, but any id not in this workspace is a 404."""
    found = await contacts_by_ids(session, workspace_id, contact_ids)
    if set(contact_ids) - set(found):
        raise ContactNotFound()
    return found


async def counts_before(
    session: AsyncSession, workspace_id: uuid.UUID, moments: Sequence[datetime]
) -> list[int]:
    """Contacts of the workspace created before each of `moments` (one scan for all)."""
    return await ContactLookupRepository(session, workspace_id).counts_before(moments)


async def count_from(
    session: AsyncSession, workspace_id: uuid.UUID, moment: datetime, until: datetime
) -> tuple[int, int]:
    """(contacts created at or after `moment`, those of them created before `until`)."""
    return await ContactLookupRepository(session, workspace_id).count_from(moment, until)


async def new_contacts_per_day(
    session: AsyncSession, workspace_id: uuid.UUID, start: datetime, end: datetime
) -> dict[str, int]:
    return await ContactLookupRepository(session, workspace_id).created_per_day(start, end)
