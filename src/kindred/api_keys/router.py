"""API key routes: workspace admins only; the raw key is shown once, at creation."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from kindred.api_keys import service
from kindred.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from kindred.core.db.session import DbSession
from kindred.core.deps import WorkspaceAdmin
from kindred.core.schemas import SuccessResponse

router = APIRouter(prefix="/api/api-keys", tags=["api-keys"])


@router.get("", response_model=list[ApiKeyRead], summary="List the workspace's API keys")
async def list_keys(principal: WorkspaceAdmin, session: DbSession) -> list[ApiKeyRead]:
    rows = await service.list_keys(session, principal.workspace)
    return [
        ApiKeyRead.model_validate(
            {**key.__dict__, "creator_name": user.name, "creator_email": user.email}
        )
        for key, user in rows
    ]


@router.post(
    "",
    response_model=ApiKeyCreated,
    status_code=201,
    summary="Create an API key (the raw key is returned once)",
)
async def create_key(
    body: ApiKeyCreate, principal: WorkspaceAdmin, session: DbSession
) -> ApiKeyCreated:
    created = await service.create_key(
        session, workspace_id=principal.workspace, user_id=principal.user.id, name=body.name
    )
    return ApiKeyCreated.model_validate({**created.key.__dict__, "raw_key": created.raw_key})


@router.delete(
    "/{key_id}",
    response_model=SuccessResponse,
    summary="Revoke an API key",
    responses={404: {"description": "API key not found"}},
)
async def revoke_key(
    key_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession
) -> SuccessResponse:
    await service.revoke_key(session, workspace_id=principal.workspace, key_id=key_id)
    return SuccessResponse(message="API key revoked")
