"""Workspace tags and which contacts carry them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import events
from kindred.contacts.errors import DuplicateTag
from kindred.contacts.models import Contact, Tag
from kindred.contacts.repository import ContactRepository, TagRepository
from kindred.core.filters.ast import fold


async def list_tags(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Tag]:
    return await TagRepository(session, workspace_id).listed()


async def create_tag(
    session: AsyncSession, workspace_id: uuid.UUID, *, name: str, color: str | None
) -> Tag:
    tags = TagRepository(session, workspace_id)
    tag = Tag(name=name, color=color)
    if await tags.by_name(name) is not None or await tags.saved(tag) is not tag:
        raise DuplicateTag()
    return tag


async def update_tag(
    session: AsyncSession, workspace_id: uuid.UUID, tag_id: uuid.UUID, changes: dict[str, object]
) -> Tag:
    tags = TagRepository(session, workspace_id)
    tag = await tags.get_or_404(tag_id)
    values: dict[str, str | None] = {}
    name = changes.get("name")
    if isinstance(name, str) and name != tag.name:
        existing = await tags.by_name(name)
        if existing is not None and existing.id != tag.id:  # a change of case only is no clash
            raise DuplicateTag()
        values["name"] = name
    if "color" in changes:
        values["color"] = changes["color"] if isinstance(changes["color"], str) else None
    if await tags.saved(tag, **values) is not tag:  # a concurrent request took the name
        raise DuplicateTag()
    return tag


async def delete_tag(session: AsyncSession, workspace_id: uuid.UUID, tag_id: uuid.UUID) -> None:
    tags = TagRepository(session, workspace_id)
    await tags.delete(await tags.get_or_404(tag_id))


async def ensure_tags(
    session: AsyncSession, workspace_id: uuid.UUID, names: Sequence[str]
) -> list[Tag]:
    """The tag of each distinct name, in order, creating those that do not exist yet: names
    that differ only in case are one tag (see `TagRepository.by_names`), spelt as first
    created. Where a concurrent request creates one of them first, its tag is the one."""
    tags = TagRepository(session, workspace_id)
    wanted = list(dict.fromkeys(names))
    found = await tags.by_names(wanted)
    created: dict[str, Tag] = {}
    for name in wanted:
        if name not in found:
            if fold(name) not in created:
                created[fold(name)] = await tags.saved(Tag(name=name))
            found[name] = created[fold(name)]
    return [found[name] for name in wanted]


async def set_contact_tags(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID, names: Sequence[str]
) -> None:
    """Replaces a contact's tags with the named ones."""
    tags = await ensure_tags(session, workspace_id, names)
    repository = TagRepository(session, workspace_id)
    await repository.unlink(contact_id, None)
    await repository.link([(contact_id, tag.id) for tag in tags])


async def tag_contacts(
    session: AsyncSession, workspace_id: uuid.UUID, pairs: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> None:
    """Adds (contact_id, tag_id) links in bulk (imports)."""
    await TagRepository(session, workspace_id).link(pairs)


async def tags_of_contact(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID
) -> list[Tag]:
    await ContactRepository(session, workspace_id).get_or_404(contact_id)
    return [tag for _, tag in await TagRepository(session, workspace_id).of_contacts([contact_id])]


async def add_contact_tag(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID, tag_id: uuid.UUID
) -> list[Tag]:
    """Tags the contact (unchanged when it has the tag already); its tags after."""
    contact = await ContactRepository(session, workspace_id).get_with_tags(contact_id)
    repository = TagRepository(session, workspace_id)
    await repository.get_or_404(tag_id)
    return await _relink(session, contact, lambda: repository.link([(contact_id, tag_id)]))


async def remove_contact_tag(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID, tag_id: uuid.UUID
) -> list[Tag]:
    """Untags the contact (unchanged when it lacks the tag); its tags after."""
    contact = await ContactRepository(session, workspace_id).get_with_tags(contact_id)
    repository = TagRepository(session, workspace_id)
    return await _relink(session, contact, lambda: repository.unlink(contact_id, [tag_id]))


async def _relink(
    session: AsyncSession, contact: Contact, change: Callable[[], Awaitable[None]]
) -> list[Tag]:
    """Runs `change` on the contact's tag links and emits the events of the difference it
    made (contact.updated and tag.added / tag.removed, as PUT does; none when it made none)."""
    tags_before, before = list(contact.tags), events.contact_data(contact)
    await change()
    changed = await events.tags_changed(
        session, contact.workspace_id, contact.id, tags_before, before
    )
    return list(changed.tags)


async def tags_of_contacts(
    session: AsyncSession, workspace_id: uuid.UUID, contact_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Tag]]:
    """Tags per contact for a batch; ids of other workspaces or unknown ids are left out."""
    known = await ContactRepository(session, workspace_id).existing_ids(contact_ids)
    result: dict[uuid.UUID, list[Tag]] = {contact_id: [] for contact_id in known}
    for contact_id, tag in await TagRepository(session, workspace_id).of_contacts(known):
        result[contact_id].append(tag)
    return result


async def tag_ids_named(
    session: AsyncSession, workspace_id: uuid.UUID, names: Sequence[str]
) -> list[uuid.UUID] | None:
    """Ids of the named tags, or None when one of them does not exist (nothing can match)."""
    found = await TagRepository(session, workspace_id).by_names(names)
    if len(found) < len(set(names)):
        return None
    return list(dict.fromkeys(tag.id for tag in found.values()))
