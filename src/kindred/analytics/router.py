"""The analytics dashboard route (document 000)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from kindred.analytics import service
from kindred.analytics.cache import TileCache, TileStore, build_store
from kindred.analytics.schemas import Overview
from kindred.core.dates import check_order, parse_bound
from kindred.core.db.session import DbSession
from kindred.core.deps import PipelineRead

OVERVIEW_DESCRIPTION = """Staleness. Live on every request: the metrics and the contacts
growth, so a contact created, imported or deleted shows at once. Cached per workspace (and
range) for `KINDRED_ANALYTICS_CACHE_SECONDS` (default 60 s), so a change shows at the latest
that long after it: `dealsByStage`, `forecast` and `stageFunnel` (a deal created or moved)."""

router = APIRouter(tags=["analytics"])


def tile_cache(request: Request, principal: PipelineRead) -> TileCache:
    """The workspace's cached tiles, in a store built on first use from the app's settings."""
    state = request.app.state
    if not hasattr(state, "analytics_tiles"):
        state.analytics_tiles = build_store(state.settings.redis_url)
    store: TileStore = state.analytics_tiles
    return TileCache(store, state.settings.analytics_cache_seconds, principal.workspace)


@router.get(
    "/api/analytics/overview",
    response_model=Overview,
    summary="Dashboard metrics and charts for a date range (default: this month)",
    description=OVERVIEW_DESCRIPTION,
)
async def overview(
    principal: PipelineRead,
    session: DbSession,
    cache: Annotated[TileCache, Depends(tile_cache)],
    start_date: Annotated[str | None, Query(alias="startDate", max_length=40)] = None,
    end_date: Annotated[str | None, Query(alias="endDate", max_length=40)] = None,
) -> Any:
    start = parse_bound(start_date, "startDate")
    end = parse_bound(end_date, "endDate", end=True)
    check_order(start, end)
    return await service.overview(session, principal.workspace, start, end, cache)
