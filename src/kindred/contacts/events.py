"""The contacts domain's events: each carries the contact as the API shows it after the change."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.models import Contact, Tag
from kindred.contacts.repository import ContactRepository
from kindred.contacts.schemas import ContactRead
from kindred.core.events import emit


def contact_data(contact: Contact) -> dict[str, Any]:
    """The contact as `GET /api/contacts/{id}` shows it (its tags must be loaded)."""
    return ContactRead.model_validate(contact).model_dump(mode="json")


async def emit_contact(session: AsyncSession, event_type: str, contact: Contact) -> None:
    await emit(
        session,
        workspace_id=contact.workspace_id,
        type=event_type,
        data=contact_data(contact),
        contact_id=contact.id,
    )


async def contact_changed(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    contact_id: uuid.UUID,
    event_type: str | None,
    tags_before: Sequence[Tag],
) -> Contact:
    """Reloads the contact and emits `event_type` (if any), then tag.added / tag.removed for
    the difference between `tags_before` and its tags now; returns the reloaded contact."""
    contact = await ContactRepository(session, workspace_id).get_with_tags(contact_id, refresh=True)
    if event_type is not None:
        await emit_contact(session, event_type, contact)
    before = {tag.id: tag for tag in tags_before}
    after = {tag.id: tag for tag in contact.tags}
    changes = [("tag.added", tag) for key, tag in after.items() if key not in before]
    changes += [("tag.removed", tag) for key, tag in before.items() if key not in after]
    data = contact_data(contact) if changes else {}
    for change, tag in changes:
        await emit(
            session,
            workspace_id=workspace_id,
            type=change,
            data={
                "contact": data,
                "tag": {"id": str(tag.id), "name": tag.name, "color": tag.color},
            },
            contact_id=contact_id,
        )
    return contact
