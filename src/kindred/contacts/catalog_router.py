"""Workspace tags, custom field definitions and interaction deletion (document 002)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from kindred.contacts import fields, interactions, tags
from kindred.contacts.schemas import (
    FieldCreate,
    FieldRead,
    FieldUpdate,
    TagCreate,
    TagRead,
    TagUpdate,
)
from kindred.core.db.session import DbSession
from kindred.core.deps import ContactsRead, ContactsWrite
from kindred.core.schemas import SuccessResponse

router = APIRouter(tags=["tags", "fields"])


@router.get("/api/tags", response_model=list[TagRead], summary="List the workspace's tags")
async def list_tags(principal: ContactsRead, session: DbSession) -> Any:
    return await tags.list_tags(session, principal.workspace)


@router.post(
    "/api/tags",
    response_model=TagRead,
    status_code=201,
    summary="Create a tag",
    responses={409: {"description": "Duplicate tag name"}},
)
async def create_tag(body: TagCreate, principal: ContactsWrite, session: DbSession) -> Any:
    return await tags.create_tag(session, principal.workspace, name=body.name, color=body.color)


@router.put(
    "/api/tags/{tag_id}",
    response_model=TagRead,
    summary="Rename or recolour a tag",
    responses={404: {"description": "Tag not found"}, 409: {"description": "Duplicate tag name"}},
)
async def update_tag(
    tag_id: uuid.UUID, body: TagUpdate, principal: ContactsWrite, session: DbSession
) -> Any:
    return await tags.update_tag(
        session, principal.workspace, tag_id, body.model_dump(exclude_unset=True, by_alias=False)
    )


@router.delete(
    "/api/tags/{tag_id}",
    response_model=SuccessResponse,
    summary="Delete a tag",
    responses={404: {"description": "Tag not found"}},
)
async def delete_tag(
    tag_id: uuid.UUID, principal: ContactsWrite, session: DbSession
) -> SuccessResponse:
    await tags.delete_tag(session, principal.workspace, tag_id)
    return SuccessResponse(message="Tag deleted")


@router.get("/api/fields", response_model=list[FieldRead], summary="List custom field definitions")
async def list_fields(principal: ContactsRead, session: DbSession) -> Any:
    return await fields.list_fields(session, principal.workspace)


@router.post(
    "/api/fields",
    response_model=FieldRead,
    status_code=201,
    summary="Define a custom field",
    responses={
        409: {"description": "Duplicate field name, or a saved filter needs the name untyped"}
    },
)
async def create_field(body: FieldCreate, principal: ContactsWrite, session: DbSession) -> Any:
    return await fields.create_field(session, principal.workspace, body)


@router.put(
    "/api/fields/{field_id}",
    response_model=FieldRead,
    summary="Update a custom field definition",
    responses={
        404: {"description": "Field not found"},
        409: {"description": "A saved filter would no longer parse with the new type"},
    },
)
async def update_field(
    field_id: uuid.UUID, body: FieldUpdate, principal: ContactsWrite, session: DbSession
) -> Any:
    return await fields.update_field(
        session, principal.workspace, field_id, body.model_dump(exclude_unset=True, by_alias=False)
    )


@router.delete(
    "/api/fields/{field_id}",
    response_model=SuccessResponse,
    summary="Delete a custom field definition",
    responses={
        404: {"description": "Field not found"},
        409: {"description": "A saved filter would no longer parse without it"},
    },
)
async def delete_field(
    field_id: uuid.UUID, principal: ContactsWrite, session: DbSession
) -> SuccessResponse:
    await fields.delete_field(session, principal.workspace, field_id)
    return SuccessResponse(message="Field deleted")


@router.delete(
    "/api/interactions/{interaction_id}",
    response_model=SuccessResponse,
    summary="Delete an interaction",
    responses={404: {"description": "Interaction not found"}},
)
async def delete_interaction(
    interaction_id: uuid.UUID, principal: ContactsWrite, session: DbSession
) -> SuccessResponse:
    await interactions.delete_interaction(session, principal.workspace, interaction_id)
    return SuccessResponse(message="Interaction deleted")
