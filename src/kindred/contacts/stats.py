"""Contacts as other domains read them: several by id, and the dashboard's contact figures.

Added for the sales pipeline (issue 5): deals and appointments embed contacts, analytics
counts them; all through this module instead of the contacts tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.errors import ContactNotFound
from kindred.contacts.models import Contact
from kindred.contacts.repository.stats import DAILY_COUNTS, ContactLookupRepository
from kindred.core.db.rollup import compact


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


class ContactGrowth(NamedTuple):
    total: int  # the workspace's contacts
    before: int  # those created before the window
    per_day: dict[str, int]  # those created in the window, per UTC day (`YYYY-MM-DD`)


async def contact_growth(
    session: AsyncSession, workspace_id: uuid.UUID, start: datetime, end: datetime
) -> ContactGrowth:
    """The dashboard's contact figures for the window [start, end), exact and live."""
    return ContactGrowth(*await ContactLookupRepository(session, workspace_id).growth(start, end))


async def compact_daily_counts(session: AsyncSession) -> int:
    """Folds the contacts-per-day rollup's deltas (`kindred.core.db.rollup`)."""
    return await compact(session, DAILY_COUNTS)
