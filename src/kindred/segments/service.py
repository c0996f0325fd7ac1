"""Segments: saved filters, their previews and their contacts.

A filter is parsed (and so validated, with paths) before it is stored, so a saved segment
always compiles. Cross-workspace segments are created, counted and listed by platform admins
only; their filter is typed by the custom fields of the workspace that owns the segment.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import matching
from kindred.contacts.fields import saved_filters
from kindred.contacts.models import Contact
from kindred.core.auth import Principal
from kindred.core.schemas import PageParams
from kindred.segments.errors import CrossWorkspaceForbidden, SegmentInUse
from kindred.segments.models import Segment
from kindred.segments.repository import SegmentRepository
from kindred.segments.schemas import SegmentCreate, SegmentUpdate

# `(session, workspace_id, segment_id) -> names` of what still needs the segment to exist; a
# domain built on segments (campaigns) registers one with @segment_users, so that deleting a
# segment it relies on is refused instead of silently widening what used it.
SegmentUsers = Callable[[AsyncSession, uuid.UUID, uuid.UUID], Awaitable[Sequence[str]]]
SEGMENT_USERS: dict[str, SegmentUsers] = {}


def segment_users(finder: SegmentUsers) -> SegmentUsers:
    """Registers a finder (keyed by its qualified name: a re-import does not add it twice)."""
    SEGMENT_USERS[f"{finder.__module__}.{finder.__qualname__}"] = finder
    return finder


@saved_filters
async def segment_filters(session: AsyncSession, workspace_id: uuid.UUID) -> list[tuple[str, Any]]:
    return [
        (f'segment "{segment.name}"', segment.filter)
        for segment in await SegmentRepository(session, workspace_id).listed()
    ]


def _check_scope(principal: Principal, cross_workspace: bool) -> None:
    if cross_workspace and not principal.is_platform_admin:
        raise CrossWorkspaceForbidden()


async def list_segments(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Segment]:
    return await SegmentRepository(session, workspace_id).listed()


async def get_segment(
    session: AsyncSession, workspace_id: uuid.UUID, segment_id: uuid.UUID
) -> Segment:
    return await SegmentRepository(session, workspace_id).get_or_404(segment_id)


async def create_segment(
    session: AsyncSession, principal: Principal, data: SegmentCreate
) -> Segment:
    _check_scope(principal, data.cross_workspace)
    raw = data.filter.model_dump()
    await matching.parse(session, principal.workspace, raw)
    segment = Segment(
        name=data.name,
        description=data.description,
        filter=raw,
        cross_workspace=data.cross_workspace,
        created_by=principal.user.id,
    )
    return await SegmentRepository(session, principal.workspace).add(segment)


async def update_segment(
    session: AsyncSession, principal: Principal, segment_id: uuid.UUID, data: SegmentUpdate
) -> Segment:
    segment = await get_segment(session, principal.workspace, segment_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, by_alias=False)
    if changes.get("cross_workspace"):
        _check_scope(principal, True)
    if data.filter is not None:
        changes["filter"] = data.filter.model_dump()
        await matching.parse(session, principal.workspace, changes["filter"])
    for name, value in changes.items():
        if value is not None or name == "description":
            setattr(segment, name, value)
    await session.flush()
    return segment


async def hold_segment(
    session: AsyncSession, workspace_id: uuid.UUID, segment_id: uuid.UUID
) -> Segment:
    """The segment, kept from being deleted until this transaction ends (404 if it is gone,
    or another workspace's): for what saves a reference to it (a campaign's audience)."""
    return await SegmentRepository(session, workspace_id).locked_or_404(segment_id, share=True)


async def delete_segment(
    session: AsyncSession, workspace_id: uuid.UUID, segment_id: uuid.UUID
) -> None:
    """409 while something registered with @segment_users still needs the segment. The row is
    locked first: a campaign being saved with the segment meanwhile (`hold_segment`) commits
    before the check, which then sees it, instead of the delete setting its segment to null
    (and its audience to the whole workspace) once it commits."""
    segments = SegmentRepository(session, workspace_id)
    segment = await segments.locked_or_404(segment_id)
    users = [
        name
        for finder in SEGMENT_USERS.values()
        for name in await finder(session, workspace_id, segment_id)
    ]
    if users:
        raise SegmentInUse(
            f"The segment is the audience of {', '.join(users)}; change or delete that first",
            details=[{"usedBy": name} for name in users],
        )
    await segments.delete(segment)


async def preview(
    session: AsyncSession, workspace_id: uuid.UUID, raw: dict[str, Any]
) -> dict[str, Any]:
    group = await matching.parse(session, workspace_id, raw)
    count, contacts = await matching.preview(session, workspace_id, group)
    return {"count": count, "contacts": contacts}


async def segment_contacts(
    session: AsyncSession, principal: Principal, segment_id: uuid.UUID, params: PageParams
) -> tuple[Sequence[Contact], int]:
    """A page of the segment's contacts (of every workspace for a cross-workspace segment)."""
    segment = await get_segment(session, principal.workspace, segment_id)
    _check_scope(principal, segment.cross_workspace)
    group = await matching.parse(session, principal.workspace, segment.filter)
    scope = None if segment.cross_workspace else principal.workspace
    return await matching.page(session, scope, group, params)
