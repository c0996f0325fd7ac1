"""Document 002's sandbox routes: what the sandbox captured (every channel), simulated
recipient events (the MailerSend webhook's own logic), clearing. Admins only; 404 in live
mode."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from kindred.core.db.session import DbSession
from kindred.core.deps import WorkspaceAdmin
from kindred.core.errors import NotFound
from kindred.core.requests import json_or_form
from kindred.messaging import provider_events, sandbox
from kindred.messaging.deps import AppSettings
from kindred.messaging.schemas import (
    ClearInput,
    SandboxEmailList,
    SandboxEmailRead,
    SandboxFilterInput,
    SimulateBulkInput,
    SimulateInput,
)
from kindred.settings import Settings

router = APIRouter(prefix="/api/sandbox", tags=["sandbox"])
SANDBOX_404: dict[int | str, dict[str, Any]] = {404: {"description": "Not found, or live mode"}}


class SandboxOff(NotFound):
    code = "SANDBOX_DISABLED"
    message = "The sandbox is off: messages are delivered for real"


def sandbox_on(settings: AppSettings) -> Settings:
    if settings.delivery_mode != "sandbox":
        raise SandboxOff()
    return settings


SandboxOn = Depends(sandbox_on)


def _scope(principal: WorkspaceAdmin, workspace_id: uuid.UUID | None) -> uuid.UUID:
    """Filtering by another workspace finds nothing of it: it is the caller's or a 404."""
    if workspace_id is not None and workspace_id != principal.workspace:
        raise NotFound()
    return principal.workspace


def _filter(spec: SandboxFilterInput) -> sandbox.SandboxFilter:
    return sandbox.SandboxFilter(
        campaign_id=spec.campaign_id, to=spec.to, status=spec.status, since=spec.since
    )


@router.get("/status", summary="Whether outbound messages are captured (sandbox) or sent (live)")
async def status(settings: AppSettings) -> dict[str, str]:
    return {"mode": settings.delivery_mode}


@router.get(
    "/emails",
    response_model=SandboxEmailList,
    dependencies=[SandboxOn],
    summary="Captured messages, newest first",
)
async def list_emails(
    principal: WorkspaceAdmin,
    session: DbSession,
    campaign_id: Annotated[uuid.UUID | None, Query(alias="campaignId")] = None,
    to: Annotated[str | None, Query(max_length=320)] = None,
    workspace_id: Annotated[uuid.UUID | None, Query(alias="workspaceId")] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    since: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=sandbox.MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Any:
    spec = sandbox.SandboxFilter(campaign_id=campaign_id, to=to, status=status, since=since)
    rows, total = await sandbox.list_captured(
        session, _scope(principal, workspace_id), spec, limit, offset
    )
    return {"emails": rows, "total": total}


@router.get(
    "/emails/{email_id}",
    response_model=SandboxEmailRead,
    dependencies=[SandboxOn],
    summary="One captured message in full",
    responses=SANDBOX_404,
)
async def get_email(email_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession) -> Any:
    return await sandbox.get_captured(session, principal.workspace, email_id)


@router.post(
    "/emails/simulate-bulk",
    dependencies=[SandboxOn],
    summary="Simulate a recipient event on every matching captured message (500 per call)",
)
async def simulate_bulk(
    body: SimulateBulkInput, principal: WorkspaceAdmin, session: DbSession
) -> dict[str, int]:
    workspace_id = _scope(principal, body.filter.workspace_id)
    affected = await provider_events.simulate_bulk(
        session, workspace_id, _filter(body.filter), body.event
    )
    return {"affected": affected}


@router.post(
    "/emails/{email_id}/simulate",
    response_model=SandboxEmailRead,
    dependencies=[SandboxOn],
    summary="Simulate a recipient event (the MailerSend webhook's own logic)",
    responses=SANDBOX_404,
)
async def simulate(
    email_id: uuid.UUID, body: SimulateInput, principal: WorkspaceAdmin, session: DbSession
) -> Any:
    row = await sandbox.get_captured(session, principal.workspace, email_id)
    await provider_events.simulate(session, row, body.event, body.url)
    return row


@router.delete("/emails", dependencies=[SandboxOn], summary="Clear captured messages")
async def clear(request: Request, principal: WorkspaceAdmin, session: DbSession) -> dict[str, int]:
    body = await _optional_body(request)
    return {"deleted": await sandbox.clear(session, principal.workspace, body.campaign_id)}


async def _optional_body(request: Request) -> ClearInput:
    if not await request.body():
        return ClearInput()
    return await json_or_form(request, ClearInput)
