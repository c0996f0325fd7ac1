"""A contact's timeline: notes, messages, calls, meetings, form submissions, stage changes.

Other domains write to it through `record_interaction`; a campaign's messages are read from
the messages themselves (`messaging.timeline`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.models import Interaction
from kindred.contacts.repository import ContactRepository, InteractionRepository
from kindred.core.db import utcnow
from kindred.core.schemas import PageParams
from kindred.messaging import timeline

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


async def list_interactions(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID, params: PageParams
) -> tuple[list[dict[str, Any]], int]:
    """The timeline's page: its own rows and the contact's campaign messages
    (`messaging.timeline`)."""
    await ContactRepository(session, workspace_id).get_or_404(contact_id)
    sends = timeline.campaign_sends(session, workspace_id, contact_id)
    rows, total = await InteractionRepository(session, workspace_id).timeline(
        contact_id, sends, params
    )
    return [_entry(row._mapping) for row in rows], total


def _entry(row: Mapping[str, Any]) -> dict[str, Any]:
    entry = dict(row)
    campaign_id = entry.pop("campaign_id")
    if campaign_id is not None:
        entry["metadata"] = timeline.metadata(entry["id"], campaign_id)
    return entry


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
