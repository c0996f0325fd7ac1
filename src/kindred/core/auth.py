"""Who is calling, in which workspace, with which role.

Three credentials resolve to the same Principal: the session cookie from sign-in, an API key
as `Authorization: Bearer pai_…`, and an API key as `x-api-key` + `x-organization-id`
(document 001). `X-Workspace-Id` picks another workspace where the user is a member; a
workspace the caller does not belong to is reported as not found.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from kindred.api_keys import service as api_keys
from kindred.api_keys.models import ApiKey
from kindred.auth import service as auth_sessions
from kindred.auth.models import AuthSession
from kindred.core import context
from kindred.core.db.session import DbSession
from kindred.core.errors import BadRequest, Forbidden, Unauthorized
from kindred.core.permissions import Permission, Role, role_allows
from kindred.users import service as users
from kindred.users.models import User
from kindred.workspaces import service as workspaces
from kindred.workspaces.errors import WorkspaceNotFound

SESSION_COOKIE_ALIASES = ("next-auth.session-token", "__Secure-next-auth.session-token")


class NoWorkspace(BadRequest):
    code = "WORKSPACE_REQUIRED"
    message = "No workspace selected: pass X-Workspace-Id"


@dataclass(frozen=True)
class Principal:
    user: User
    workspace_id: uuid.UUID | None
    role: Role | None
    api_key: ApiKey | None = None
    auth_session: AuthSession | None = None

    @property
    def is_platform_admin(self) -> bool:
        return self.user.is_platform_admin

    @property
    def workspace(self) -> uuid.UUID:
        """The workspace this request acts in; routes that need one fail clearly without it."""
        if self.workspace_id is None:
            raise NoWorkspace()
        return self.workspace_id

    def can(self, permission: Permission) -> bool:
        if permission is not Permission.PLATFORM_ADMIN and self.workspace_id is None:
            return False
        role = self.role or Role.VIEWER
        return role_allows(role, permission, platform_admin=self.is_platform_admin)


@dataclass(frozen=True)
class Credential:
    """The secret a request presents: an API key or a session token (not yet verified)."""

    kind: Literal["api_key", "session"]
    secret: str


def presented_credential(connection: HTTPConnection, cookie_name: str) -> Credential | None:
    """The credential `authenticate` will check, in its order of precedence."""
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return Credential("api_key", value.strip())
    if api_key := connection.headers.get("x-api-key"):
        return Credential("api_key", api_key.strip())
    for name in (cookie_name, *SESSION_COOKIE_ALIASES):
        if token := connection.cookies.get(name):
            return Credential("session", token)
    return None


async def credential_is_live(session: AsyncSession, credential: Credential) -> bool:
    """Whether the credential is an active API key or an unexpired session; read only."""
    if credential.kind == "api_key":
        return await api_keys.active_key(session, credential.secret) is not None
    return await auth_sessions.resolve_session(session, credential.secret) is not None


def _parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def _from_api_key(request: Request, session: AsyncSession, raw_key: str) -> Principal:
    key = await api_keys.authenticate_key(session, raw_key)
    if key is None:
        raise Unauthorized("Invalid API key")
    organization = request.headers.get("x-organization-id")
    if organization is not None and _parse_uuid(organization) != key.workspace_id:
        raise Unauthorized("Invalid API key or organization ID")
    user = await users.get_user(session, key.user_id)
    workspace_id = _requested_workspace(request) or key.workspace_id
    role = await _role_in(session, user, workspace_id)
    return Principal(user=user, workspace_id=workspace_id, role=role, api_key=key)


async def _from_session(request: Request, session: AsyncSession, token: str) -> Principal:
    resolved = await auth_sessions.resolve_session(session, token)
    if resolved is None:
        raise Unauthorized()
    record, user = resolved
    return await session_principal(session, record, user, _requested_workspace(request))


async def session_principal(
    session: AsyncSession,
    record: AuthSession,
    user: User,
    workspace_id: uuid.UUID | None = None,
) -> Principal:
    """Who a signed-in session acts as: in `workspace_id` (the one `X-Workspace-Id` names),
    else in the user's first workspace. Sign-in answers with the latter, as the session
    route will without the header."""
    if workspace_id is None:
        memberships = await workspaces.workspaces_of(session, user.id)
        workspace_id = memberships[0][0].id if memberships else None
    role = await _role_in(session, user, workspace_id) if workspace_id else None
    return Principal(user=user, workspace_id=workspace_id, role=role, auth_session=record)


def _requested_workspace(request: Request) -> uuid.UUID | None:
    header = request.headers.get("x-workspace-id")
    if header is None:
        return None
    workspace_id = _parse_uuid(header.strip())
    if workspace_id is None:
        raise WorkspaceNotFound()
    return workspace_id


async def _role_in(session: AsyncSession, user: User, workspace_id: uuid.UUID) -> Role:
    membership = await workspaces.find_membership(session, workspace_id, user.id)
    if membership is not None:
        return Role(membership.role)
    if user.is_platform_admin:
        await workspaces.get_workspace(session, workspace_id)
        return Role.ADMIN
    raise WorkspaceNotFound()


async def authenticate(request: Request, session: DbSession) -> Principal:
    """The request's Principal, or 401 in the common error shape."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    credential = presented_credential(request, request.app.state.settings.session_cookie_name)
    if credential is None:
        raise Unauthorized()
    if credential.kind == "api_key":
        principal = await _from_api_key(request, session, credential.secret)
    else:
        principal = await _from_session(request, session, credential.secret)
    request.state.principal = principal
    context.set_actor(
        principal.user.id,
        principal.api_key.id if principal.api_key else None,
        principal.workspace_id,
    )
    return principal


def require(
    permission: Permission,
) -> Callable[[Request, AsyncSession], Coroutine[Any, Any, Principal]]:
    """A dependency that authenticates and checks one permission (403 when lacking)."""

    async def dependency(request: Request, session: DbSession) -> Principal:
        principal = await authenticate(request, session)
        if permission is not Permission.PLATFORM_ADMIN:
            _ = principal.workspace  # fails clearly when no workspace can be resolved
        if not principal.can(permission):
            raise Forbidden("You do not have permission to do this")
        return principal

    dependency.__name__ = f"require_{permission.name.lower()}"
    return dependency
