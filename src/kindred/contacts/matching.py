"""Contacts selected by a filter of the shared filter language (segments, targeting).

Parsing types `customFields.<name>` by this workspace's field definitions; counting and
paging run in the database through the compiled WHERE clause.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.fields import list_fields
from kindred.contacts.models import Contact
from kindred.contacts.repository.matching import MatchingContacts
from kindred.core.db import utcnow
from kindred.core.db.dialect import dialect_name
from kindred.core.filters import Group, compile_filter, parse_filter
from kindred.core.filters.fields import FieldRegistry
from kindred.core.schemas import PageParams

PREVIEW_SIZE = 50


async def parse(session: AsyncSession, workspace_id: uuid.UUID, raw: Any) -> Group:
    """The filter's AST, typed by the workspace's custom fields (400 InvalidFilter if bad)."""
    definitions = await list_fields(session, workspace_id)
    registry = FieldRegistry({field.name: field.field_type for field in definitions})
    return parse_filter(raw, registry)


def where_clause(
    session: AsyncSession, workspace_id: uuid.UUID | None, group: Group
) -> ColumnElement[bool]:
    """The filter compiled to one WHERE condition for this session's database, on the
    contacts of `workspace_id` (None: of every workspace, for the platform admin)."""
    return compile_filter(group, dialect_name(session), utcnow(), workspace_id=workspace_id)


async def count(session: AsyncSession, workspace_id: uuid.UUID | None, group: Group) -> int:
    return await MatchingContacts(session, workspace_id).count(
        where_clause(session, workspace_id, group)
    )


async def preview(
    session: AsyncSession, workspace_id: uuid.UUID | None, group: Group
) -> tuple[int, list[dict[str, Any]]]:
    """The number of matches and the newest 50 as {id, email, first_name, last_name}."""
    where = where_clause(session, workspace_id, group)
    matches = MatchingContacts(session, workspace_id)
    rows = await matches.first(where, PREVIEW_SIZE)
    return await matches.count(where), [dict(row._mapping) for row in rows]


async def ids_after(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    group: Group,
    after: uuid.UUID | None,
    limit: int,
) -> list[uuid.UUID]:
    """The next `limit` matching contact ids after `after`, in id order (batched walks)."""
    return await MatchingContacts(session, workspace_id).ids_after(
        where_clause(session, workspace_id, group), after, limit
    )


async def page(
    session: AsyncSession, workspace_id: uuid.UUID | None, group: Group, params: PageParams
) -> tuple[Sequence[Contact], int]:
    return await MatchingContacts(session, workspace_id).page(
        where_clause(session, workspace_id, group), params
    )
