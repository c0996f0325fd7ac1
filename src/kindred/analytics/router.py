"""The analytics dashboard route (document 000)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kindred.analytics import service
from kindred.analytics.schemas import Overview
from kindred.core.dates import check_order, parse_bound
from kindred.core.db.session import DbSession
from kindred.core.deps import PipelineRead

router = APIRouter(tags=["analytics"])


@router.get(
    "/api/analytics/overview",
    response_model=Overview,
    summary="Dashboard metrics and charts for a date range (default: this month)",
)
async def overview(
    principal: PipelineRead,
    session: DbSession,
    start_date: Annotated[str | None, Query(alias="startDate", max_length=40)] = None,
    end_date: Annotated[str | None, Query(alias="endDate", max_length=40)] = None,
) -> Any:
    start = parse_bound(start_date, "startDate")
    end = parse_bound(end_date, "endDate", end=True)
    check_order(start, end)
    return await service.overview(session, principal.workspace, start, end)
