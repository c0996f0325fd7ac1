"""`GET /metrics` in the Prometheus text format (not part of the public API reference).

Metrics describe the whole installation (traffic, queue depth, provider errors), so they are
not public: a scraper presents `KINDRED_METRICS_TOKEN` as a bearer token. With no token
configured only a loopback client may read them, and in production nobody (404), so an
installation behind a reverse proxy never exposes them by accident.
"""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from kindred.core import metrics
from kindred.core.db.session import DbSession
from kindred.core.errors import NotFound, Unauthorized
from kindred.core.jobs import queue_stats
from kindred.settings import Settings

router = APIRouter(tags=["observability"])


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bearer(request: Request) -> str:
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    return credential.strip() if scheme.lower() == "bearer" else ""


def require_metrics_access(request: Request) -> None:
    """404 when metrics are off (or tokenless where that is not allowed); 401 for a bad token."""
    settings: Settings = request.app.state.settings
    if not settings.metrics_enabled:
        raise NotFound()
    token = settings.metrics_token
    if not token:  # an empty token must not match an absent header
        if settings.environment == "production" or not _is_loopback(request):
            raise NotFound()
        return
    if not hmac.compare_digest(_bearer(request).encode(), token.encode()):
        raise Unauthorized(
            "A valid metrics token is required", headers={"WWW-Authenticate": "Bearer"}
        )


@router.get(
    "/metrics",
    include_in_schema=False,
    summary="Prometheus metrics",
    dependencies=[Depends(require_metrics_access)],
)
async def prometheus_metrics(session: DbSession) -> Response:
    metrics.set_queue_depth(await queue_stats(session))
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
