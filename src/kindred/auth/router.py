"""Sign-up, sign-in, session and sign-out routes (document 000)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from kindred.auth import service
from kindred.auth.schemas import SessionRead, SessionUser, SigninInput, SignupInput, SignupResult
from kindred.core.auth import Principal, session_principal
from kindred.core.db.session import DbSession
from kindred.core.deps import Authenticated
from kindred.core.errors import Unauthorized
from kindred.core.ratelimit import check_signin_allowed, record_signin_failure
from kindred.core.requests import body_schema, client_ip, json_or_form
from kindred.core.schemas import SuccessResponse
from kindred.users.models import User

router = APIRouter(prefix="/api", tags=["auth"])


@router.post(
    "/signup",
    response_model=SignupResult,
    summary="Create an account and its workspace",
    responses={400: {"description": "Email already exists or invalid input"}},
)
async def signup(body: SignupInput, session: DbSession) -> SignupResult:
    user, workspace = await service.signup(
        session,
        name=body.name,
        email=str(body.email),
        password=body.password,
        business_name=body.business_name,
        industry=body.industry,
    )
    return SignupResult(user_id=str(user.id), workspace_id=str(workspace.id))


def _session_read(
    principal_user: User, expires: object, principal: Principal | None
) -> SessionRead:
    return SessionRead.model_validate(
        {
            "user": SessionUser(
                id=str(principal_user.id),
                email=principal_user.email,
                name=principal_user.name,
                role="ADMIN" if principal_user.is_platform_admin else "USER",
                workspace_id=str(principal.workspace_id)
                if principal and principal.workspace_id
                else None,
                workspace_role=principal.role.value if principal and principal.role else None,
            ),
            "expires": expires,
        }
    )


@router.post(
    "/auth/signin",
    response_model=SessionRead,
    summary="Sign in with email and password (JSON or form); sets the session cookie",
    openapi_extra=body_schema(SigninInput),
    responses={401: {"description": "Invalid email or password"}},
)
async def signin(request: Request, response: Response, session: DbSession) -> SessionRead:
    body = await json_or_form(request, SigninInput)
    settings = request.app.state.settings
    ttl = timedelta(hours=settings.session_ttl_hours)
    limiter = request.app.state.rate_limiter
    await check_signin_allowed(limiter, settings, body.email)
    try:
        created = await service.signin(
            session,
            email=body.email,
            password=body.password,
            ttl=ttl,
            user_agent=request.headers.get("user-agent"),
            ip_address=client_ip(request),
        )
    except Unauthorized:
        await record_signin_failure(limiter, settings, body.email)
        raise
    response.set_cookie(
        settings.session_cookie_name,
        created.token,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    principal = await session_principal(session, created.record, created.user)
    return _session_read(created.user, created.record.expires_at, principal)


@router.get(
    "/auth/session",
    response_model=SessionRead,
    summary="The signed-in user and when the session expires",
    responses={401: {"description": "Not signed in"}},
)
async def current_session(principal: Authenticated) -> SessionRead:
    expires = principal.auth_session.expires_at if principal.auth_session else None
    return _session_read(principal.user, expires, principal)


@router.post("/auth/signout", response_model=SuccessResponse, summary="End the current session")
async def signout(request: Request, response: Response, session: DbSession) -> SuccessResponse:
    settings = request.app.state.settings
    token = request.cookies.get(settings.session_cookie_name)
    if not token:
        raise Unauthorized()
    await service.signout(session, token)
    response.delete_cookie(settings.session_cookie_name, path="/")
    return SuccessResponse(message="Signed out")
