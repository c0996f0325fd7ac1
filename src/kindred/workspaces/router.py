"""The caller's workspaces: list them, create another."""

from __future__ import annotations

from fastapi import APIRouter

from kindred.core.db.session import DbSession
from kindred.core.deps import Authenticated
from kindred.core.permissions import Role
from kindred.workspaces import service
from kindred.workspaces.schemas import WorkspaceCreate, WorkspaceRead

router = APIRouter(prefix="/api/workspaces", tags=["workspaces"])


@router.get("", response_model=list[WorkspaceRead], summary="Workspaces the caller belongs to")
async def list_workspaces(principal: Authenticated, session: DbSession) -> list[WorkspaceRead]:
    rows = await service.workspaces_of(session, principal.user.id)
    return [WorkspaceRead.model_validate({**ws.__dict__, "role": role}) for ws, role in rows]


@router.post(
    "",
    response_model=WorkspaceRead,
    status_code=201,
    summary="Create a workspace (caller is admin)",
)
async def create_workspace(
    body: WorkspaceCreate, principal: Authenticated, session: DbSession
) -> WorkspaceRead:
    workspace = await service.create_workspace(
        session, name=body.name, owner_id=principal.user.id, industry=body.industry
    )
    return WorkspaceRead.model_validate({**workspace.__dict__, "role": Role.ADMIN.value})
