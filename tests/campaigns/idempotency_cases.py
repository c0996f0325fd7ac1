"""Idempotency-Key cases for the campaign POST routes (see tests/idempotency_registry.py)."""

from __future__ import annotations

from tests.campaigns.helpers import create
from tests.factories import Actor
from tests.idempotency_registry import Call, Case, Excluded

BODY = {"name": "Launch", "subject": "Hi", "body": "<p>Hi</p>"}


async def create_campaign(actor: Actor) -> Call:
    return Call("/api/campaigns", BODY)


async def send_campaign(actor: Actor) -> Call:
    return Call(f"/api/campaigns/{(await create(actor))['id']}/send")


async def cancel_campaign(actor: Actor) -> Call:
    return Call(f"/api/campaigns/{(await create(actor))['id']}/cancel")


async def preview_campaign(actor: Actor) -> Call:
    campaign_id = (await create(actor))["id"]
    return Call(f"/api/campaigns/{campaign_id}/preview", {"email": "preview@example.com"})


NO_KEY = Excluded("a signed link followed by a mail client: no workspace, the token is the key")
CASES: dict[str, Case] = {
    "/api/campaigns": create_campaign,
    "/api/campaigns/{campaign_id}/send": send_campaign,
    "/api/campaigns/{campaign_id}/cancel": cancel_campaign,
    "/api/campaigns/{campaign_id}/pause": Excluded("a status move; replaying it is a 400"),
    "/api/campaigns/{campaign_id}/resume": Excluded("a status move; replaying it is a 400"),
    "/api/campaigns/{campaign_id}/preview": preview_campaign,
    "/api/campaigns/unsubscribe": NO_KEY,
}
