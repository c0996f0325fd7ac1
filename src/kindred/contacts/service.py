"""Contacts: create, read, list and search, update, delete, CRM lookup and CRM sync.

Emails are stored lowercased and unique per workspace; phones E.164; customFields checked
against the workspace's field definitions; unknown tag names create the tag.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.admin.stats import user_stat
from kindred.companies import service as companies
from kindred.contacts import events, interactions, matching, tags
from kindred.contacts.errors import DuplicateCrmId, DuplicateEmail, InvalidContactField
from kindred.contacts.fields import FieldChecker
from kindred.contacts.models import Contact, Interaction
from kindred.contacts.repository import SORTABLE, ContactQuery, ContactRepository, ContactStats
from kindred.contacts.values import normalise_email, normalise_phone
from kindred.core.filters import InvalidFilter
from kindred.core.schemas import PageParams

PHONE_LIKE = re.compile(r"^[\d\s()+.\-]+$")
MIN_PHONE_DIGITS = 3


@dataclass(frozen=True)
class ContactFilter:
    search: str | None = None
    tags: Sequence[str] = ()
    company_id: uuid.UUID | None = None
    sort: str | None = None
    order: str | None = None
    filter: str | None = None  # the segments filter language, as JSON text


def search_fragments(search: str | None) -> list[str]:
    """The text to look for, plus its digits when it looks like a phone number in any format."""
    text = (search or "").strip()
    if not text:
        return []
    fragments = [text]
    digits = re.sub(r"\D", "", text)
    if PHONE_LIKE.match(text) and len(digits) >= MIN_PHONE_DIGITS and digits != text:
        fragments.append(digits)
    return fragments


def sorting(sort: str | None, order: str | None) -> tuple[str, bool]:
    """`sort=firstName&order=asc`, `sort=firstName:asc` or `sort=-createdAt`."""
    raw = (sort or "createdAt").strip()
    direction = (order or "").strip().lower()
    if ":" in raw:
        raw, direction = raw.split(":", 1)
    if raw.startswith("-"):
        raw, direction = raw[1:], direction or "desc"
    key = raw.replace("_", "").lower()
    if key not in SORTABLE:
        raise InvalidContactField("sort", f"Cannot sort by {raw}")
    if direction not in ("", "asc", "desc"):
        raise InvalidContactField("order", "Order must be asc or desc")
    default_desc = key in ("createdat", "updatedat")
    return key, direction == "desc" or (direction == "" and default_desc)


async def _query(
    session: AsyncSession, workspace_id: uuid.UUID, spec: ContactFilter
) -> ContactQuery | None:
    """The repository query for a filter, or None when a named tag does not exist."""
    sort, descending = sorting(spec.sort, spec.order)
    tag_ids = await tags.tag_ids_named(session, workspace_id, spec.tags) if spec.tags else []
    if tag_ids is None:
        return None
    return ContactQuery(
        search=spec.search,
        tag_ids=tag_ids,
        company_id=spec.company_id,
        sort=sort,
        descending=descending,
        where=await _filter_condition(session, workspace_id, spec.filter),
    )


async def check_filter(session: AsyncSession, workspace_id: uuid.UUID, spec: ContactFilter) -> None:
    """Raises the 400 a bad `filter=` deserves, without running the list."""
    await _filter_condition(session, workspace_id, spec.filter)


async def _filter_condition(
    session: AsyncSession, workspace_id: uuid.UUID, text: str | None
) -> ColumnElement[bool] | None:
    """The `filter=` parameter compiled to a WHERE condition (400 when it is not valid)."""
    if not text:
        return None
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise InvalidFilter(details=[{"field": "filter", "message": "Invalid JSON"}]) from error
    group = await matching.parse(session, workspace_id, raw)
    return matching.where_clause(session, workspace_id, group)


async def list_contacts(
    session: AsyncSession, workspace_id: uuid.UUID, spec: ContactFilter, params: PageParams
) -> tuple[Sequence[Contact], int]:
    query = await _query(session, workspace_id, spec)
    if query is None:
        return [], 0
    repository = ContactRepository(session, workspace_id)
    return await repository.list_page(query, search_fragments(spec.search), params)


def _crm_pair(contact_values: dict[str, Any]) -> None:
    if contact_values.get("crm_id") and not contact_values.get("crm_source"):
        raise InvalidContactField("crm_source", "crm_source is required when crm_id is given")


async def _check_unique(
    repository: ContactRepository, contact: Contact, email: str | None, crm: tuple[Any, Any]
) -> None:
    if email is not None:
        other = await repository.by_email(email)
        if other is not None and other.id != contact.id:
            raise DuplicateEmail()
    source, crm_id = crm
    if crm_id and source:
        other = await repository.by_crm(source, crm_id)
        if other is not None and other.id != contact.id:
            raise DuplicateCrmId()


async def _apply(
    session: AsyncSession, workspace_id: uuid.UUID, contact: Contact, changes: dict[str, Any]
) -> None:
    """Normalises and checks the given fields, then writes them onto the contact."""
    values = dict(changes)
    if "email" in values:
        values["email"] = normalise_email(values["email"])
    if "phone" in values:
        values["phone"] = normalise_phone(values["phone"])
    if values.get("custom_fields") is not None:
        checker = await FieldChecker.load(session, workspace_id)
        values["custom_fields"] = {
            **contact.custom_fields,
            **checker.check(values["custom_fields"]),
        }
    if values.get("company_id") is not None:
        await companies.get_company(session, workspace_id, values["company_id"])
    merged = {"crm_id": contact.crm_id, "crm_source": contact.crm_source}
    merged.update({k: v for k, v in values.items() if k in merged})
    _crm_pair(merged)
    await _check_unique(
        ContactRepository(session, workspace_id),
        contact,
        values.get("email"),
        (merged["crm_source"], merged["crm_id"]),
    )
    for name, value in values.items():
        if name == "tags":
            continue
        if value is None and name in ("custom_fields", "communication_preferences"):
            value = {}
        if value is None and name in ("is_primary", "globally_unsubscribed", "source"):
            continue
        setattr(contact, name, value)


async def create_contact(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    owner_id: uuid.UUID | None,
    fields: dict[str, Any],
    *,
    source: str = "manual",
) -> Contact:
    contact = Contact(owner_id=owner_id, source=source, custom_fields={})
    contact.workspace_id = workspace_id
    await _apply(session, workspace_id, contact, fields)
    repository = ContactRepository(session, workspace_id)
    await repository.add(contact)
    if fields.get("tags"):
        await tags.set_contact_tags(session, workspace_id, contact.id, fields["tags"])
    return await events.contact_changed(session, workspace_id, contact.id, "contact.created", [])


async def update_contact(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID, changes: dict[str, Any]
) -> Contact:
    repository = ContactRepository(session, workspace_id)
    contact = await repository.get_with_tags(contact_id)
    tags_before, before = list(contact.tags), events.contact_data(contact)
    await _apply(session, workspace_id, contact, changes)
    if changes.get("tags") is not None:
        await tags.set_contact_tags(session, workspace_id, contact.id, changes["tags"])
    await session.flush()
    return await events.contact_changed(
        session, workspace_id, contact.id, "contact.updated", tags_before, before=before
    )


async def get_contact(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID
) -> Contact:
    return await ContactRepository(session, workspace_id).get_with_tags(contact_id)


async def find_by_phone(
    session: AsyncSession, workspace_id: uuid.UUID, phone: str
) -> Contact | None:
    """The contact with this phone in any spelling (inbound SMS finds its sender by it)."""
    normalised = normalise_phone(phone)
    return (
        await ContactRepository(session, workspace_id).by_phone(normalised) if normalised else None
    )


async def ids_with_phone(
    session: AsyncSession, workspace_id: uuid.UUID, phone: str
) -> list[uuid.UUID]:
    """Every contact with this (stored, E.164) phone: phones are not unique, and what the
    person at a number says (STOP) holds for each contact that has it."""
    return await ContactRepository(session, workspace_id).ids_by_phone(phone)


async def find_by_email(
    session: AsyncSession, workspace_id: uuid.UUID, email: str
) -> Contact | None:
    """The contact with this email address in any case (400 when it is not an address)."""
    normalised = normalise_email(email)
    return (
        await ContactRepository(session, workspace_id).by_email(normalised) if normalised else None
    )


async def get_contact_detail(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID
) -> tuple[Contact, Sequence[Interaction]]:
    """A contact and its recent notes (messages and appointments come from their domains)."""
    contact = await get_contact(session, workspace_id, contact_id)
    return contact, await interactions.recent_notes(session, workspace_id, contact_id)


async def delete_contact(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID
) -> None:
    repository = ContactRepository(session, workspace_id)
    contact = await repository.get_with_tags(contact_id)
    await events.emit_contact(session, "contact.deleted", contact)
    await repository.delete(contact)


async def lookup_crm(
    session: AsyncSession, workspace_id: uuid.UUID, crm_id: str, crm_source: str
) -> Contact:
    found = await ContactRepository(session, workspace_id).by_crm(crm_source, crm_id)
    if found is None:
        raise ContactRepository.not_found()
    return found


async def sync_from_crm(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    owner_id: uuid.UUID | None,
    source: str,
    fields: dict[str, Any],
) -> tuple[Contact, bool]:
    """Creates or updates the contact with this CRM id and source; True when created."""
    crm_id = fields["crm_id"]
    existing = await ContactRepository(session, workspace_id).by_crm(source, crm_id)
    values = {**fields, "crm_source": source}
    if existing is None:
        values.setdefault("first_name", "Unknown")
        return await create_contact(session, workspace_id, owner_id, values, source="webhook"), True
    return await update_contact(session, workspace_id, existing.id, values), False


@user_stat("contacts")
async def count_contacts_by_owner(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    return await ContactStats(session).count_by_owner(user_ids)
