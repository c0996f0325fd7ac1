"""Workspace members and their roles (document 002 `/api/users`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from kindred.core.db.session import DbSession
from kindred.core.deps import WorkspaceAdmin
from kindred.core.permissions import Role
from kindred.core.schemas import SuccessResponse
from kindred.users import service
from kindred.users.models import User
from kindred.users.schemas import MemberCreate, MemberRead, MemberUpdate

router = APIRouter(prefix="/api/users", tags=["users"])


def _member(user: User, role: str) -> MemberRead:
    return MemberRead(
        id=user.id,
        name=user.name,
        email=user.email,
        image=user.image,
        is_admin=role == Role.ADMIN,
        role=Role(role),
    )


@router.get("", response_model=list[MemberRead], summary="List the workspace's members")
async def list_members(principal: WorkspaceAdmin, session: DbSession) -> list[MemberRead]:
    return [
        _member(user, role) for user, role in await service.members(session, principal.workspace)
    ]


@router.post(
    "",
    response_model=MemberRead,
    status_code=201,
    summary="Add a member by email (creating the account when it does not exist)",
    responses={409: {"description": "Already a member"}},
)
async def add_member(
    body: MemberCreate, principal: WorkspaceAdmin, session: DbSession
) -> MemberRead:
    user, role = await service.add_member(
        session,
        workspace_id=principal.workspace,
        email=str(body.email),
        name=body.name,
        password=body.password,
        role=body.role,
    )
    return _member(user, role)


@router.put(
    "/{user_id}",
    response_model=MemberRead,
    summary="Change a member's role",
    responses={404: {"description": "User not found"}, 409: {"description": "Last admin"}},
)
async def update_member(
    user_id: uuid.UUID, body: MemberUpdate, principal: WorkspaceAdmin, session: DbSession
) -> MemberRead:
    user, role = await service.set_role(
        session, workspace_id=principal.workspace, user_id=user_id, role=body.role
    )
    return _member(user, role)


@router.delete(
    "/{user_id}",
    response_model=SuccessResponse,
    summary="Remove a member from the workspace",
    responses={404: {"description": "User not found"}, 409: {"description": "Last admin"}},
)
async def remove_member(
    user_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession
) -> SuccessResponse:
    await service.remove_member(session, workspace_id=principal.workspace, user_id=user_id)
    return SuccessResponse(message="Member removed")
