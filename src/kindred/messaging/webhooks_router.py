"""Provider routes: document 003's Twilio settings, Twilio's inbound SMS webhook and status
callbacks, and MailerSend's delivery webhook. Webhooks take no credentials: each is verified
by its provider's signature over the raw body before anything is stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db.session import DbSession
from kindred.core.deps import WorkspaceAdmin
from kindred.core.errors import NotFound
from kindred.messaging import accounts, provider_events, twilio_inbound
from kindred.messaging.deps import AppSettings
from kindred.messaging.schemas import TwilioSettingsInput
from kindred.providers.mailersend.webhooks import HEADER as MAILERSEND_HEADER
from kindred.providers.mailersend.webhooks import verify_mailersend
from kindred.providers.twilio.webhooks import HEADER as TWILIO_HEADER
from kindred.settings import Settings

router = APIRouter(tags=["providers"])
TWILIO_FIELDS = {
    "twilio_account_sid": "account_sid",
    "twilio_auth_token": "auth_token",
    "twillio_messaging_service_sid": "messaging_service_sid",
    "twilio_phone_number": "phone_number",
}
TwilioHandler = Callable[[AsyncSession, str, bytes, str | None], Awaitable[None]]
WEBHOOK_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Signature verification failed"},
    404: {"description": "No workspace receives this"},
}


class MailerSendNotConfigured(NotFound):
    """Without a signing secret nothing can be verified: the endpoint is not there."""

    code = "MAILERSEND_NOT_CONFIGURED"
    message = "No MailerSend signing secret is configured (KINDRED_MAILERSEND_WEBHOOK_SECRET)"


@router.post(
    "/api/auth/update-twillio-messaging-service-sid",
    summary="Set the workspace's Twilio account, auth token and messaging service",
)
async def update_twilio(
    body: TwilioSettingsInput, principal: WorkspaceAdmin, session: DbSession
) -> dict[str, Any]:
    if body.brand_id is not None and body.brand_id != principal.workspace:
        raise NotFound()
    given = body.model_dump(exclude_unset=True, by_alias=False)
    changes = {TWILIO_FIELDS[name]: value for name, value in given.items() if name in TWILIO_FIELDS}
    await accounts.update_twilio(session, principal.workspace, changes)
    return {"success": True, "message": "Twilio settings updated"}


def signed_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: as configured publicly when behind a proxy, else as received."""
    if not settings.public_base_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{settings.public_base_url.rstrip('/')}{request.url.path}{query}"


async def _from_twilio(
    request: Request, session: DbSession, settings: Settings, handler: TwilioHandler
) -> None:
    url = signed_url(request, settings)
    await handler(session, url, await request.body(), request.headers.get(TWILIO_HEADER))


@router.post(
    "/api/twilio/sms-webhook",
    summary="Twilio inbound SMS / WhatsApp (answers empty TwiML)",
    responses=WEBHOOK_ERRORS,
)
async def sms_webhook(request: Request, session: DbSession, settings: AppSettings) -> Response:
    await _from_twilio(request, session, settings, twilio_inbound.receive_sms)
    return Response(twilio_inbound.EMPTY_TWIML, media_type="application/xml")


@router.post(
    "/api/twilio/status-callback",
    summary="Twilio message status callback",
    responses=WEBHOOK_ERRORS,
)
async def status_callback(request: Request, session: DbSession, settings: AppSettings) -> Response:
    await _from_twilio(request, session, settings, twilio_inbound.status_callback)
    return Response(status_code=204)


@router.post(
    "/api/webhooks/mailersend",
    summary="MailerSend delivery events (HMAC-SHA256 signed)",
    responses={
        401: {"description": "Signature verification failed"},
        404: {
            "description": "No MailerSend signing secret is configured, or a recent activity "
            "names no message of ours yet (MailerSend's retry applies it)"
        },
    },
)
async def mailersend_webhook(
    request: Request, session: DbSession, settings: AppSettings
) -> dict[str, bool]:
    if not settings.mailersend_webhook_secret:
        raise MailerSendNotConfigured()
    raw = await request.body()
    payload = verify_mailersend(
        raw, request.headers.get(MAILERSEND_HEADER), settings.mailersend_webhook_secret
    )
    await provider_events.apply_mailersend(session, payload, raw)
    return {"ok": True}
