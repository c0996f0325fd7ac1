"""Document 002's `POST /api/webhooks/tally`: no credentials, the Tally-Signature over the raw
body verified before anything is read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from kindred.core.db.session import DbSession
from kindred.forms import service, tally
from kindred.forms.errors import TallyNotConfigured
from kindred.messaging.deps import AppSettings
from kindred.providers.tally.webhooks import HEADER, verify_tally

router = APIRouter(tags=["forms"])


@router.post(
    "/api/webhooks/tally",
    summary="Tally form submissions: create or update the contact, log the submission",
    responses={
        400: {"description": "Invalid JSON, not a form response, or no email"},
        401: {"description": "Signature verification failed"},
        404: {"description": "Tally submissions are not configured"},
    },
)
async def tally_webhook(request: Request, session: DbSession, settings: AppSettings) -> Any:
    secret, workspace_id = settings.tally_webhook_signing_secret, settings.tally_workspace_id
    if not secret or workspace_id is None:
        raise TallyNotConfigured()
    raw = await request.body()
    payload = verify_tally(raw, request.headers.get(HEADER), secret)
    return await service.receive_tally(session, workspace_id, tally.parse(payload), raw)
