"""Document 003's banlist: `/api/auth/banned` add, list (cursor pages) and remove."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from kindred.banlist import service
from kindred.core.db.session import DbSession
from kindred.core.deps import WorkspaceAdmin
from kindred.core.schemas import ApiModel, InputModel

router = APIRouter(prefix="/api/auth/banned", tags=["banlist"])


class BanInput(InputModel):
    email: str | None = None
    phone: str | None = None
    reason: str | None = None


class BannedRead(ApiModel):
    id: uuid.UUID
    email: str | None
    phone: str | None
    reason: str | None
    message_got: str | None
    sentiment_score: float | None
    created_at: datetime


class BannedPage(ApiModel):
    success: bool = True
    data: list[BannedRead]
    next_cursor: str | None


@router.post("", summary="Add an email or phone to the banlist")
async def add_banned(
    body: BanInput, principal: WorkspaceAdmin, session: DbSession
) -> dict[str, Any]:
    entry = await service.ban(
        session, principal.workspace, email=body.email, phone=body.phone, reason=body.reason
    )
    return {"id": str(entry.id), "success": True}


@router.get("", response_model=BannedPage, summary="List banned emails and phones")
async def list_banned(
    principal: WorkspaceAdmin,
    session: DbSession,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    sort_by: Annotated[Literal["createdAt", "email"], Query(alias="sortBy")] = "createdAt",
    sort_order: Annotated[Literal["asc", "desc"], Query(alias="sortOrder")] = "desc",
) -> Any:
    page = await service.list_banned(
        session,
        principal.workspace,
        cursor=cursor,
        limit=limit,
        sort_by=sort_by,
        descending=sort_order == "desc",
    )
    return {"data": page.rows, "next_cursor": page.next_cursor}


@router.delete(
    "/{ban_id}",
    summary="Remove an entry from the banlist",
    responses={404: {"description": "Not found"}},
)
async def remove_banned(
    ban_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession
) -> dict[str, bool]:
    await service.unban(session, principal.workspace, ban_id)
    return {"success": True}
