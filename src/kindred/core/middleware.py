"""HTTP middleware: request ids and logs, metrics, security headers, size and rate limits.

Installed by `create_app` (outermost first): the envelope (request id, JSON access log,
metrics, security headers, and the generic 500 for anything unhandled, so even that response
carries the headers), CORS when origins are configured, the input guard (body size, NUL in
query strings), then rate limits. All are plain ASGI middleware: no body buffering.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kindred.core import context, metrics
from kindred.core.auth import Credential, credential_is_live, presented_credential
from kindred.core.db.session import Database
from kindred.core.errors import error_response
from kindred.core.logs import configure_logging
from kindred.core.ratelimit import Decision, RateLimiter, build_limiter
from kindred.core.tokens import token_digest
from kindred.settings import Settings

log = logging.getLogger("kindred.errors")
access_log = logging.getLogger("kindred.access")

REQUEST_ID_HEADER = "x-request-id"
# The response headers the API sets for its clients: a browser app on another origin reads
# only these besides the CORS-safelisted ones (content-type, cache-control...).
EXPOSED_HEADERS = [
    "X-Request-Id",
    "X-Total-Count",  # a list answered as a bare array gives its total here
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
    "Idempotent-Replayed",
    "Content-Disposition",  # an export's file name
]
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
DOCS_PATHS = ("/docs", "/redoc")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc load their bundles from jsDelivr and bootstrap with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https:; "
    "worker-src 'self' blob:; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


async def _send_error(send: Send, status: int, code: str, message: str, **kw: Any) -> None:
    response = error_response(status, code, message, **kw)
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def _security_headers(scope: Scope, message: Message) -> None:
    headers = MutableHeaders(scope=message)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    docs = scope["path"].startswith(DOCS_PATHS)
    headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else API_CSP)
    if scope.get("scheme") == "https":
        headers.setdefault("Strict-Transport-Security", HSTS)


def _request_id(scope: Scope) -> str:
    given = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
    return given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex


def _route_template(scope: Scope) -> str:
    """The matched route's template; fixed paths (docs, schema) by path; else "unmatched"."""
    route = scope.get("route")
    if route is not None:
        return str(getattr(route, "path", "unmatched"))
    return str(scope["path"]) if "endpoint" in scope else "unmatched"


class EnvelopeMiddleware:
    """Request id, access log, metrics, security headers, and the last-resort 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = context.begin(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                _security_headers(scope, message)
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            status = 500
            if response_started:  # mid-stream: only the server dropping the connection is honest
                raise
            await _send_error(send_wrapper, 500, "INTERNAL_ERROR", "Internal server error")
        finally:
            self._record(scope, status, time.perf_counter() - started)
            context.end(token)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        route = _route_template(scope)
        metrics.observe_request(scope["method"], route, status, seconds)
        actor = context.current()
        access_log.info(
            "%s %s %s",
            scope["method"],
            scope["path"],
            status,
            extra={
                "request_id": actor.request_id if actor else None,
                "method": scope["method"],
                "path": scope["path"],
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "user_id": str(actor.user_id) if actor and actor.user_id else None,
                "workspace_id": str(actor.workspace_id) if actor and actor.workspace_id else None,
            },
        )


class BodyTooLarge(Exception):
    """Raised from `receive` when a streamed body passes the limit."""


class InputGuardMiddleware:
    """413 past the body size limit (declared or streamed); 400 for NUL in the query string."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _limit(self, path: str) -> int:
        if path.startswith(tuple(self.settings.import_paths)):
            return self.settings.max_import_body_bytes
        return self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if b"%00" in scope["query_string"].lower() or b"\x00" in scope["query_string"]:
            await _send_error(send, 400, "BAD_REQUEST", "NUL characters are not allowed")
            return
        limit = self._limit(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        await self._guarded(scope, receive, send, limit)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        overflow = False

        async def limited_receive() -> Message:
            nonlocal received, overflow
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                overflow = True
                raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            if not overflow:  # whatever the app made of the cut-off body is dropped
                await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, limited_receive, guarded_send)
        if overflow:
            await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    await _send_error(send, 413, "PAYLOAD_TOO_LARGE", f"Request body is larger than {limit} bytes")


class LiveCredentials:
    """Credentials recently found live in the database, so that only a credential's first
    request in a while costs the rate limiter a query. A credential revoked meanwhile keeps
    its own bucket until its entry expires; authentication itself always asks the database.
    """

    def __init__(self, ttl_seconds: float = 60.0, max_entries: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._expiry: dict[str, float] = {}  # insertion order: the oldest entry first

    async def is_live(self, database: Database, credential: Credential, digest: str) -> bool:
        entry = f"{credential.kind}:{digest}"
        now = time.monotonic()
        if self._expiry.get(entry, 0.0) > now:
            return True
        async with database.session_scope() as session:
            live = await credential_is_live(session, credential)
        if live:
            self._expiry.pop(entry, None)
            if len(self._expiry) >= self.max_entries:
                del self._expiry[next(iter(self._expiry))]
            self._expiry[entry] = now + self.ttl_seconds
        return live


class RateLimitMiddleware:
    """Counts every request in one bucket: public path per IP, live credential, or IP.

    Only a credential verified against the database gets its own bucket: a made-up API key
    or session token shares its client's IP bucket, so rotating fake keys buys nothing. The
    IP is the ASGI client, which the server's proxy-header policy has already resolved.
    """

    def __init__(self, app: ASGIApp, settings: Settings, limiter: RateLimiter) -> None:
        self.app = app
        self.settings = settings
        self.limiter = limiter
        self.live = LiveCredentials()

    async def _bucket(self, scope: Scope) -> tuple[str, str, int]:
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        if scope["path"].startswith(tuple(self.settings.rate_limit_public_paths)):
            return "public", f"public:{ip}", self.settings.rate_limit_public_per_ip
        if key := await self._credential_key(scope):
            return "credential", key, self.settings.rate_limit_per_credential
        return "ip", f"ip:{ip}", self.settings.rate_limit_per_ip

    async def _credential_key(self, scope: Scope) -> str | None:
        """The bucket of the request's credential when it is live; None otherwise."""
        connection = HTTPConnection(scope)
        credential = presented_credential(connection, self.settings.session_cookie_name)
        if credential is None:
            return None
        digest = token_digest(credential.secret)
        try:
            live = await self.live.is_live(scope["app"].state.database, credential, digest)
        except Exception:  # the request itself will meet the outage; count it per IP meanwhile
            log.warning("credential check failed; request counted per IP", exc_info=True)
            return None
        return "cred:" + digest[:32] if live else None

    async def _decide(self, scope: Scope) -> tuple[str, Decision | None]:
        bucket, key, limit = await self._bucket(scope)
        try:
            window = self.settings.rate_limit_window_seconds
            return bucket, await self.limiter.hit(key, limit, window)
        except Exception:  # a rate-limit store outage must not take the API down
            log.warning("rate limiter unavailable; request allowed", exc_info=True)
            return bucket, None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bucket, decision = await self._decide(scope)
        if decision is None:
            await self.app(scope, receive, send)
            return
        if not decision.allowed:
            metrics.RATE_LIMITED.labels(bucket).inc()
            await _send_error(
                send, 429, "RATE_LIMITED", "Too many requests", headers=decision.headers()
            )
            return
        await self.app(scope, receive, _with_headers(send, decision.headers()))


def _with_headers(send: Send, extra: dict[str, str]) -> Callable[[Message], Awaitable[None]]:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in extra.items():
                headers.setdefault(name, value)
        await send(message)

    return wrapped


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Adds the middleware stack (Starlette wraps the last added outermost)."""
    configure_logging(settings)
    limiter = build_limiter(settings)
    app.state.rate_limiter = limiter
    if settings.rate_limit_enabled:
        app.add_middleware(RateLimitMiddleware, settings=settings, limiter=limiter)
    app.add_middleware(InputGuardMiddleware, settings=settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=EXPOSED_HEADERS,
        )
    app.add_middleware(EnvelopeMiddleware)
