"""`GET /metrics` in the Prometheus text format (not part of the public API reference)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from kindred.core import metrics
from kindred.core.db.session import DbSession
from kindred.core.errors import NotFound
from kindred.core.jobs import queue_stats

router = APIRouter(tags=["observability"])


@router.get("/metrics", include_in_schema=False, summary="Prometheus metrics")
async def prometheus_metrics(request: Request, session: DbSession) -> Response:
    if not request.app.state.settings.metrics_enabled:
        raise NotFound()
    metrics.set_queue_depth(await queue_stats(session))
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
