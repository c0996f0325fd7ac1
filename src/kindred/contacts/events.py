"""The contacts domain's events: each carries the contact as the API shows it after the change."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.models import Contact, Tag
from kindred.contacts.repository import ContactRepository
from kindred.contacts.schemas import ContactRead
from kindred.core.events import emit
from kindred.core.filters.fields import CUSTOM_PREFIXES, snake

CUSTOM = "customFields."
# Fields `changes` never reports: fixed for a contact's life, or changed by every update.
UNTRACKED = frozenset({"id", "workspace_id", "created_at", "updated_at", "custom_fields"})
# snake_case -> the camelCase name `changes` reports a core field under.
TRACKED = {
    name: info.alias or name
    for name, info in ContactRead.model_fields.items()
    if name not in UNTRACKED
}


def contact_data(contact: Contact) -> dict[str, Any]:
    """The contact as `GET /api/contacts/{id}` shows it (its tags must be loaded)."""
    return ContactRead.model_validate(contact).model_dump(mode="json")


def change_key(field: str) -> str | None:
    """The key under which `changes` reports a field: a core field's camelCase name (given
    in camelCase or snake_case), else `customFields.<name>` (with or without that prefix);
    None for a field that never appears there (`id`, `createdAt`, `updatedAt`...)."""
    for prefix in CUSTOM_PREFIXES:
        if field.startswith(prefix):
            return CUSTOM + field.removeprefix(prefix)
    name = snake(field)
    if name in UNTRACKED:
        return None
    return TRACKED.get(name, CUSTOM + field)


def _flat(data: Mapping[str, Any]) -> dict[str, Any]:
    flat = {TRACKED[snake(key)]: value for key, value in data.items() if snake(key) in TRACKED}
    flat["tags"] = sorted(data.get("tags") or [])
    custom = data.get("customFields") or {}
    return flat | {CUSTOM + name: value for name, value in custom.items()}


def contact_changes(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """`{field: {"from": old, "to": new}}` for each field that differs between two
    `contact_data` snapshots, keyed as `change_key` names them (tags compared as a set)."""
    old, new = _flat(before), _flat(after)
    return {
        key: {"from": old.get(key), "to": new.get(key)}
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    }


async def emit_contact(
    session: AsyncSession,
    event_type: str,
    contact: Contact,
    *,
    before: Mapping[str, Any] | None = None,
) -> None:
    """Emits the contact as it is now; given its `contact_data` from `before` the change, the
    event also carries `changes` (what FIELD_CHANGED automations and integrators compare)."""
    data = contact_data(contact)
    if before is not None:
        data["changes"] = contact_changes(before, data)
    await emit(
        session,
        workspace_id=contact.workspace_id,
        type=event_type,
        data=data,
        contact_id=contact.id,
    )


async def contact_changed(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    contact_id: uuid.UUID,
    event_type: str,
    tags_before: Sequence[Tag],
    *,
    before: Mapping[str, Any] | None = None,
) -> Contact:
    """Reloads the contact and emits `event_type` (with the `changes` since `before` when
    given), then tag.added / tag.removed for the difference between `tags_before` and its tags
    now; returns the reloaded contact."""
    contact = await ContactRepository(session, workspace_id).get_with_tags(contact_id, refresh=True)
    await emit_contact(session, event_type, contact, before=before)
    await _emit_tag_changes(session, contact, tags_before)
    return contact


async def tags_changed(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    contact_id: uuid.UUID,
    tags_before: Sequence[Tag],
    before: Mapping[str, Any],
) -> Contact:
    """After a change to a contact's tag links alone: when its tags now differ from
    `tags_before`, emits what an update through PUT emits (contact.updated with its `changes`
    since `before`, then tag.added / tag.removed); nothing when they are the same. Returns the
    reloaded contact."""
    contact = await ContactRepository(session, workspace_id).get_with_tags(contact_id, refresh=True)
    if {tag.id for tag in contact.tags} != {tag.id for tag in tags_before}:
        await emit_contact(session, "contact.updated", contact, before=before)
        await _emit_tag_changes(session, contact, tags_before)
    return contact


async def _emit_tag_changes(
    session: AsyncSession, contact: Contact, tags_before: Sequence[Tag]
) -> None:
    """tag.added / tag.removed, each with the contact, for the difference between
    `tags_before` and the contact's (reloaded) tags."""
    had = {tag.id: tag for tag in tags_before}
    has = {tag.id: tag for tag in contact.tags}
    changes = [("tag.added", tag) for key, tag in has.items() if key not in had]
    changes += [("tag.removed", tag) for key, tag in had.items() if key not in has]
    data = contact_data(contact) if changes else {}
    for change, tag in changes:
        await emit(
            session,
            workspace_id=contact.workspace_id,
            type=change,
            data={
                "contact": data,
                "tag": {"id": str(tag.id), "name": tag.name, "color": tag.color},
            },
            contact_id=contact.id,
        )
