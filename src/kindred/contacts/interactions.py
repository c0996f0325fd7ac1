"""A contact's timeline: notes, messages, calls, meetings, form submissions, stage changes.

Other domains write to it through `record_interaction`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.models import Interaction
from kindred.contacts.repository import ContactRepository, InteractionRepository
from kindred.core.db import utcnow
from kindred.core.schemas import PageParams

RECENT_NOTES = 20
SUBJECT_LENGTH = 998  # the column's; a subject composed from longer values is cut to fit


async def record_interaction(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    contact_id: uuid.UUID,
    *,
    type: str,
    subject: str | None = None,
    body: str | None = None,
    occurred_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
    user_id: uuid.UUID | None = None,
) -> Interaction:
    await ContactRepository(session, workspace_id).get_or_404(contact_id)
    return await InteractionRepository(session, workspace_id).add(
        Interaction(
            contact_id=contact_id,
            type=type,
            subject=None if subject is None else subject[:SUBJECT_LENGTH],
            body=body,
            occurred_at=occurred_at or utcnow(),
            meta=metadata or {},
            user_id=user_id,
        )
    )


async def record_many(
    session: AsyncSession, workspace_id: uuid.UUID, entries: Sequence[dict[str, Any]]
) -> None:
    """Many timeline entries in one statement, for contacts the caller has already loaded from
    this workspace: dicts of Interaction columns (contact_id, type, subject, body, occurred_at,
    meta, user_id), all with the same keys."""
    await InteractionRepository(session, workspace_id).insert_many(entries)


async def list_interactions(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID, params: PageParams
) -> tuple[Sequence[Interaction], int]:
    await ContactRepository(session, workspace_id).get_or_404(contact_id)
    repository = InteractionRepository(session, workspace_id)
    return await repository.page(repository.of_contact(contact_id), params)


async def recent_notes(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID
) -> Sequence[Interaction]:
    repository = InteractionRepository(session, workspace_id)
    return await repository.all(repository.of_contact(contact_id, ["note"]).limit(RECENT_NOTES))


async def delete_interaction(
    session: AsyncSession, workspace_id: uuid.UUID, interaction_id: uuid.UUID
) -> None:
    repository = InteractionRepository(session, workspace_id)
    await repository.delete(await repository.get_or_404(interaction_id))
