"""Annotated permission aliases that routes declare: `principal: ContactsWrite`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kindred.core.auth import Principal, authenticate, require
from kindred.core.permissions import Permission

Authenticated = Annotated[Principal, Depends(authenticate)]
WorkspaceRead = Annotated[Principal, Depends(require(Permission.WORKSPACE_READ))]
WorkspaceWrite = Annotated[Principal, Depends(require(Permission.WORKSPACE_WRITE))]
WorkspaceAdmin = Annotated[Principal, Depends(require(Permission.WORKSPACE_ADMIN))]
ContactsRead = Annotated[Principal, Depends(require(Permission.CONTACTS_READ))]
ContactsWrite = Annotated[Principal, Depends(require(Permission.CONTACTS_WRITE))]
ContactsAdmin = Annotated[Principal, Depends(require(Permission.CONTACTS_ADMIN))]
PipelineRead = Annotated[Principal, Depends(require(Permission.PIPELINE_READ))]
PipelineWrite = Annotated[Principal, Depends(require(Permission.PIPELINE_WRITE))]
PipelineAdmin = Annotated[Principal, Depends(require(Permission.PIPELINE_ADMIN))]
AutomationsRead = Annotated[Principal, Depends(require(Permission.AUTOMATIONS_READ))]
AutomationsWrite = Annotated[Principal, Depends(require(Permission.AUTOMATIONS_WRITE))]
AutomationsAdmin = Annotated[Principal, Depends(require(Permission.AUTOMATIONS_ADMIN))]
PlatformAdmin = Annotated[Principal, Depends(require(Permission.PLATFORM_ADMIN))]
