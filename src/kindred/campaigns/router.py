"""Campaign routes (documents 000 and 002): member reads, admin writes, and the public signed
links recipients follow (unsubscribe page and one-click POST, open pixel, click redirect)."""

from __future__ import annotations

import html
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kindred.campaigns import service, tracking
from kindred.campaigns.links import MAX_TRACKED_URL
from kindred.campaigns.schemas import (
    CampaignCreate,
    CampaignList,
    CampaignRead,
    CampaignUpdate,
    PreviewInput,
    RecipientRead,
    SendResult,
    UnsubscribeStatus,
)
from kindred.core.db.session import DbSession
from kindred.core.deps import WorkspaceAdmin, WorkspaceRead
from kindred.core.schemas import PageMeta, Paging, SuccessResponse
from kindred.core.secrets import primary_key
from kindred.messaging.deps import AppSettings

router = APIRouter(tags=["campaigns"])
Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "Campaign not found"}}
INVALID: Responses = {400: {"description": "Invalid template, filter or status"}}
LINK: Responses = {404: {"description": "Invalid or tampered link"}}
TokenQuery = Annotated[str, Query(max_length=200)]
SAMPLE_NOTE = (
    "<p>This email is a preview, sent to an address that is not a contact: unsubscribing"
    " from it changes nothing.</p>"
)
SAMPLE_DONE = (
    "<p>This email was a preview of a campaign, sent to an address that is not a contact:"
    " nothing was changed, and no contact was unsubscribed.</p>"
)
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


@router.get("/api/campaigns", response_model=CampaignList, summary="List campaigns")
async def list_campaigns(
    principal: WorkspaceRead,
    session: DbSession,
    paging: Paging,
    type: Annotated[str | None, Query(max_length=16)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    rows, total = await service.list_campaigns(session, principal.workspace, paging, type, status)
    return {"campaigns": rows, **PageMeta.of(paging, total)}


@router.post(
    "/api/campaigns",
    response_model=CampaignRead,
    status_code=201,
    summary="Create a campaign (SCHEDULED when scheduledAt is set, else DRAFT)",
    responses=INVALID,
)
async def create_campaign(
    body: CampaignCreate, principal: WorkspaceAdmin, session: DbSession
) -> Any:
    return await service.create_campaign(session, principal, body)


@router.get(
    "/api/campaigns/unsubscribe-status",
    response_model=UnsubscribeStatus,
    summary="Whether signed unsubscribe links and List-Unsubscribe headers are available",
)
async def unsubscribe_status(principal: WorkspaceAdmin, settings: AppSettings) -> Any:
    return UnsubscribeStatus(
        secret_configured=bool(primary_key(settings)),
        list_unsubscribe_enabled=bool(settings.public_base_url),
    )


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset=utf-8><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    )


@router.get(
    "/api/campaigns/unsubscribe",
    response_class=HTMLResponse,
    summary="The unsubscribe page a campaign email links to (changes nothing by itself)",
    responses=LINK,
)
async def unsubscribe_page(token: TokenQuery, session: DbSession, settings: AppSettings) -> Any:
    target = await tracking.resolve(session, settings, token, "unsubscribe")
    form = (
        f'<form method="post" action="?token={html.escape(token)}">'
        '<button type="submit">Unsubscribe</button></form>'
    )
    return _page("Unsubscribe from these emails?", (SAMPLE_NOTE if target.sample else "") + form)


@router.post(
    "/api/campaigns/unsubscribe",
    response_class=HTMLResponse,
    summary="Unsubscribe (the page's button, or RFC 8058 one-click from the mail client)",
    responses=LINK,
)
async def unsubscribe(token: TokenQuery, session: DbSession, settings: AppSettings) -> Any:
    if (await tracking.unsubscribe(session, settings, token)).sample:
        return _page("This was a preview", SAMPLE_DONE)
    return _page("You are unsubscribed", "<p>You will not receive these emails any more.</p>")


@router.get(
    "/api/campaigns/open/{token}.gif",
    summary="The open-tracking pixel",
    responses=LINK,
    response_class=Response,
)
async def open_pixel(token: str, session: DbSession, settings: AppSettings) -> Response:
    await tracking.opened(session, settings, token)
    return Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


@router.get(
    "/api/campaigns/click/{token}",
    summary="Records a click, then redirects to the link the message carried",
    responses=LINK,
    response_class=RedirectResponse,
)
async def click(
    token: str,
    url: Annotated[str, Query(max_length=MAX_TRACKED_URL)],
    session: DbSession,
    settings: AppSettings,
) -> RedirectResponse:
    return RedirectResponse(await tracking.clicked(session, settings, token, url), status_code=302)


@router.get(
    "/api/campaigns/{campaign_id}",
    response_model=CampaignRead,
    summary="Get a campaign",
    responses=NOT_FOUND,
)
async def get_campaign(campaign_id: uuid.UUID, principal: WorkspaceRead, session: DbSession) -> Any:
    return await service.get_campaign(session, principal.workspace, campaign_id)


@router.put(
    "/api/campaigns/{campaign_id}",
    response_model=CampaignRead,
    summary="Update a campaign (not while it sends, nor once sent or cancelled)",
    responses=NOT_FOUND | INVALID,
)
async def update_campaign(
    campaign_id: uuid.UUID, body: CampaignUpdate, principal: WorkspaceAdmin, session: DbSession
) -> Any:
    return await service.update_campaign(session, principal.workspace, campaign_id, body)


@router.delete(
    "/api/campaigns/{campaign_id}",
    response_model=SuccessResponse,
    summary="Delete a campaign",
    responses=NOT_FOUND | INVALID,
)
async def delete_campaign(
    campaign_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession
) -> Any:
    await service.delete_campaign(session, principal.workspace, campaign_id)
    return SuccessResponse(message="Campaign deleted")


@router.post(
    "/api/campaigns/{campaign_id}/send",
    response_model=SendResult,
    summary="Queue the campaign for sending (a FAILED one: its recipients still pending)",
    responses=NOT_FOUND | INVALID,
)
async def send_campaign(
    campaign_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession, settings: AppSettings
) -> Any:
    recipients = await service.send_campaign(session, settings, principal.workspace, campaign_id)
    return SendResult(recipients=recipients)


@router.post(
    "/api/campaigns/{campaign_id}/preview",
    response_model=SuccessResponse,
    summary="Send one preview email to an address (a contact's is personalised for them)",
    responses=NOT_FOUND | INVALID,
)
async def preview(
    campaign_id: uuid.UUID,
    body: PreviewInput,
    principal: WorkspaceAdmin,
    session: DbSession,
    settings: AppSettings,
) -> Any:
    await service.preview(session, settings, principal.workspace, campaign_id, body.email)
    return SuccessResponse(message="Preview sent")


TOTAL_HEADER = "X-Total-Count"
COUNTED: Responses = {
    200: {
        "headers": {
            TOTAL_HEADER: {"description": "Records in all pages", "schema": {"type": "integer"}}
        }
    }
}


@router.get(
    "/api/campaigns/{campaign_id}/emails",
    response_model=list[RecipientRead],
    summary="The campaign's per-recipient records, optionally of one status",
    description=(
        "A bare array, as document 002 shows it; the total over all pages (of the status"
        f" asked for) is in the {TOTAL_HEADER} header."
    ),
    responses=NOT_FOUND | COUNTED | INVALID,
)
async def recipients(
    campaign_id: uuid.UUID,
    principal: WorkspaceRead,
    session: DbSession,
    paging: Paging,
    response: Response,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Any:
    rows, total = await service.recipients_page(
        session, principal.workspace, campaign_id, paging, status
    )
    response.headers[TOTAL_HEADER] = str(total)
    return rows


def _state_route(action: str, summary: str) -> None:
    mover = getattr(service, action)

    @router.post(
        f"/api/campaigns/{{campaign_id}}/{action}",
        response_model=CampaignRead,
        summary=summary,
        responses=NOT_FOUND | INVALID,
        name=f"{action}_campaign",
    )
    async def move(campaign_id: uuid.UUID, principal: WorkspaceAdmin, session: DbSession) -> Any:
        return await mover(session, principal.workspace, campaign_id)


_state_route("pause", "Pause a sending or scheduled campaign")
_state_route("resume", "Resume a paused campaign")
_state_route("cancel", "Cancel a campaign that has not finished")
