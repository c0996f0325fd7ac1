"""The ASGI middleware that gives every POST route Idempotency-Key semantics.

A POST with `Idempotency-Key` (1 to 255 characters) from a caller who resolves to a workspace
(by the same credential resolution as every route, `core.auth.authenticate`) claims the key
for 24 hours: the same method, path, query and body replay the first stored status and body
with `Idempotent-Replayed: true`; another request under the key is a 422; a repeat while the
first runs is a 409. Anonymous POSTs (sign-up, sign-in) have no workspace to scope a key to and
run as usual. The first response is stored before it is sent, so a client that has seen it
can only be replayed to.

Exactly once: the middleware opens the request's unit of work itself (routes get it through
`DbSession`, see `core.db.session.REQUEST_SESSION`) and stores the response in it before the
one commit, so the changes and the record commit together or not at all. A process that dies
before that commit leaves a running record and no changes, which a repeat takes over once
`idempotency_lock_seconds` have passed; a request that outlived its lock and was taken over
cannot store its response, so it rolls back (409) instead of applying the change twice.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kindred.core.auth import authenticate
from kindred.core.db import utcnow
from kindred.core.db.session import REQUEST_SESSION, Database
from kindred.core.errors import BadRequest, KindredError, error_response
from kindred.core.idempotency import service
from kindred.core.idempotency.repository import Claim
from kindred.core.tokens import new_token

HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("content-type", "location")


class InvalidIdempotencyKey(BadRequest):
    code = "INVALID_IDEMPOTENCY_KEY"
    message = f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters"


def fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the already-read body to the app, then the real one."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


@dataclass
class _Captured:
    """A response held back until it is stored."""

    start: Message | None = None
    chunks: list[bytes] = field(default_factory=list)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    def stored(self) -> service.StoredResponse | None:
        if self.start is None:
            return None
        headers = Headers(raw=self.start.get("headers", []))
        kept = {name: headers[name] for name in REPLAYED_HEADERS if name in headers}
        return service.StoredResponse(self.start["status"], kept, b"".join(self.chunks))

    async def forward(self, send: Send) -> None:
        assert self.start is not None
        await send(self.start)
        await send({"type": "http.response.body", "body": b"".join(self.chunks)})


async def _send_replay(response: service.StoredResponse, send: Send) -> None:
    headers = [(name.encode(), str(value).encode()) for name, value in response.headers.items()]
    headers += [
        (b"content-length", str(len(response.body)).encode()),
        (REPLAYED_HEADER.encode(), b"true"),
    ]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = Headers(scope=scope).get(HEADER) if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= MAX_KEY_LENGTH:
            await self._error(InvalidIdempotencyKey(), scope, receive, send)
            return
        body = await _read_body(receive)
        receive = _replaying(body, receive)
        workspace_id = await self._workspace(scope)
        if workspace_id is None:
            await self.app(scope, receive, send)
            return
        claim = Claim(workspace_id, key, fingerprint(scope, body), new_token())
        try:
            stored = await self._begin(scope, claim)
        except KindredError as error:
            await self._error(error, scope, receive, send)
            return
        if stored is not None:
            await _send_replay(stored, send)
            return
        await self._run_first(claim, scope, receive, send)

    async def _run_first(self, claim: Claim, scope: Scope, receive: Receive, send: Send) -> None:
        """Runs the request and stores its response in one transaction, then sends it."""
        captured = _Captured()
        try:
            async with self._database(scope).session_scope() as session:
                scope[REQUEST_SESSION] = session
                await self.app(scope, receive, captured.send)
                await service.finish(session, claim, captured.stored())
        except service.IdempotencyClaimLost as error:
            await self._error(error, scope, receive, send)
            return
        except Exception:
            await self._release(scope, claim)  # a no-op once the response has been stored
            raise
        finally:
            scope.pop(REQUEST_SESSION, None)
        await captured.forward(send)

    @staticmethod
    def _database(scope: Scope) -> Database:
        database: Database = scope["app"].state.database
        return database

    async def _workspace(self, scope: Scope) -> uuid.UUID | None:
        """The caller's workspace, resolved as routes resolve it; None when there is none.

        A copy of the scope with its own state keeps the Principal (and its ORM objects from
        this short session) out of the route, which authenticates in its own session.
        """
        request = Request({**scope, "state": {}})
        try:
            async with self._database(scope).session_scope() as session:
                principal = await authenticate(request, session)
        except KindredError:
            return None  # the route answers for missing or invalid credentials itself
        return principal.workspace_id

    async def _begin(self, scope: Scope, claim: Claim) -> service.StoredResponse | None:
        settings = scope["app"].state.settings
        async with self._database(scope).session_scope() as session:
            return await service.begin(session, claim, settings, utcnow())

    async def _release(self, scope: Scope, claim: Claim) -> None:
        async with self._database(scope).session_scope() as session:
            await service.finish(session, claim, None)

    @staticmethod
    async def _error(error: KindredError, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(error.status, error.code, error.message, error.details)
        await response(scope, receive, send)
