"""Who a campaign goes to: its segment's filter, its tags (any or all) and its inline filter,
all of which must hold; none of them means every contact of the workspace."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, true
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.campaigns.models import Campaign
from kindred.contacts import matching
from kindred.core.filters import Group
from kindred.segments import service as segments


def tags_filter(tags: list[str], match: str) -> dict[str, Any]:
    return {
        "match": match,
        "conditions": [{"field": "tags", "operator": "has", "value": tag} for tag in tags],
    }


async def check(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    segment_id: uuid.UUID | None,
    inline: dict[str, Any] | None,
) -> None:
    """404 for another workspace's segment, 400 for an invalid inline filter. The segment is
    held until the campaign is saved: a concurrent delete then sees the campaign use it."""
    if segment_id is not None:
        await segments.hold_segment(session, workspace_id, segment_id)
    if inline:
        await matching.parse(session, workspace_id, inline)


async def where(session: AsyncSession, campaign: Campaign) -> ColumnElement[bool]:
    """The audience as a SQL condition on contacts, for the fan-out's INSERT … SELECT."""
    raws: list[dict[str, Any]] = []
    if campaign.segment_id is not None:
        segment = await segments.get_segment(session, campaign.workspace_id, campaign.segment_id)
        raws.append(segment.filter)
    if campaign.target_tags:
        raws.append(tags_filter(list(campaign.target_tags), campaign.target_tags_match))
    if campaign.filter:
        raws.append(campaign.filter)
    groups = [await matching.parse(session, campaign.workspace_id, raw) for raw in raws]
    if not groups:
        return true()
    return matching.where_clause(session, campaign.workspace_id, Group("all", tuple(groups)))
