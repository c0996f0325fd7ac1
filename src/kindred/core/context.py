"""The current request's context: its id and who is acting, for logs and the audit log.

The outermost middleware installs a fresh `RequestContext` per request; the auth dependency
fills in the actor. It is a mutable object in a contextvar, so values set by a dependency
running in a copied context are still seen by the code that logs or audits afterwards.
Outside a request (tasks, CLI) there is no context and no actor.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass
class RequestContext:
    request_id: str
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    workspace_id: uuid.UUID | None = None


_current: ContextVar[RequestContext | None] = ContextVar("kindred_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


def begin(request_id: str) -> Token[RequestContext | None]:
    return _current.set(RequestContext(request_id=request_id))


def end(token: Token[RequestContext | None]) -> None:
    _current.reset(token)


def set_actor(
    user_id: uuid.UUID, api_key_id: uuid.UUID | None, workspace_id: uuid.UUID | None
) -> None:
    """Records who is acting; a no-op outside a request."""
    context = _current.get()
    if context is not None:
        context.user_id = user_id
        context.api_key_id = api_key_id
        context.workspace_id = workspace_id
