"""Delivery events from MailerSend, Twilio status callbacks and the sandbox's simulation,
translated to `DeliveryEvent`s and applied by the one path in `delivery.apply_provider_event`.

The sandbox simulates MailerSend's activities by name, so a simulated `bounced` runs exactly
what a real `activity.hard_bounced` does.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.dates import in_utc
from kindred.core.db import utcnow
from kindred.core.errors import NotFound
from kindred.messaging import sandbox
from kindred.messaging.delivery import DeliveryEvent, apply_provider_event
from kindred.messaging.models import Message, MessageStatus, SandboxMessage
from kindred.providers import inbound
from kindred.providers.signatures import InvalidWebhookPayload

MAILERSEND_EVENTS: dict[str, DeliveryEvent] = {
    "sent": DeliveryEvent("sent", MessageStatus.SENT),
    "delivered": DeliveryEvent("delivered", MessageStatus.DELIVERED),
    "opened": DeliveryEvent("opened", MessageStatus.READ),
    "clicked": DeliveryEvent("clicked", MessageStatus.READ),
    "soft_bounced": DeliveryEvent("soft_bounced", None),
    "hard_bounced": DeliveryEvent(
        "hard_bounced", MessageStatus.BOUNCED, "Hard bounce", undeliverable=True
    ),
    "spam_complaint": DeliveryEvent("spam_complaint", None, "Spam complaint", undeliverable=True),
    "unsubscribed": DeliveryEvent("unsubscribed", None, unsubscribed=True),
}
# The sandbox's event names (document 002) for MailerSend's activities.
SIMULATED = {"bounced": "hard_bounced", "complained": "spam_complaint"}

TWILIO_STATUSES: dict[str, DeliveryEvent] = {
    "sent": DeliveryEvent("sent", MessageStatus.SENT),
    "delivered": DeliveryEvent("delivered", MessageStatus.DELIVERED),
    "read": DeliveryEvent("read", MessageStatus.READ),
    "undelivered": DeliveryEvent("undelivered", MessageStatus.FAILED),
    "failed": DeliveryEvent("failed", MessageStatus.FAILED),
}


def mailersend_activity(payload: Any) -> tuple[str, str, str]:
    """(activity id, MailerSend message id, activity type) of a verified webhook body."""
    try:
        data = payload["data"]
        activity_id, message_id = str(data["id"]), str(data["email"]["message"]["id"])
        kind = str(data["type"])
    except (KeyError, TypeError) as error:
        raise InvalidWebhookPayload("Not a MailerSend activity") from error
    return inbound.checked_id(activity_id), inbound.checked_id(message_id), kind


class UnknownProviderMessage(NotFound):
    code = "NOT_FOUND"
    message = "No message has this provider id (yet)"


# How long after an activity a message of ours may still be committing the id it names.
OVERTAKING = timedelta(minutes=10)


async def apply_mailersend(session: AsyncSession, payload: Any, raw: bytes) -> None:
    """Applies a verified MailerSend activity once (replays change nothing). A recent
    activity for no message of ours is a 404 and is not recorded: it may have overtaken the
    commit of the send that learnt the message's id, and the provider's retry then applies
    it. An older one (a preview's, which has no message, or a deleted message's) is taken
    and ignored, so that the webhook does not keep failing."""
    activity_id, message_id, kind = mailersend_activity(payload)
    event = MAILERSEND_EVENTS.get(kind)
    if event is None or not await inbound.record_once(
        session, "mailersend", activity_id, payload=raw
    ):
        return
    reason = _bounce_reason(payload)
    if reason and event.undeliverable:
        event = DeliveryEvent(event.name, event.status, reason, undeliverable=True)
    found = await apply_provider_event(session, "mailersend", message_id, event)
    if found is None and _recent(payload):
        raise UnknownProviderMessage()


def _recent(payload: Any) -> bool:
    """Whether the activity happened within OVERTAKING (one without a readable time is not)."""
    stamp = payload.get("data", {}).get("created_at") or payload.get("created_at")
    try:
        moment = in_utc(datetime.fromisoformat(str(stamp).replace("Z", "+00:00")))
    except ValueError:
        return False
    return utcnow() - moment < OVERTAKING


def _bounce_reason(payload: Any) -> str | None:
    morph = payload.get("data", {}).get("morph") if isinstance(payload, dict) else None
    reason = morph.get("reason") if isinstance(morph, dict) else None
    return str(reason) if reason else None


def twilio_status_event(status: str, error_code: str | None) -> DeliveryEvent | None:
    event = TWILIO_STATUSES.get(status.lower())
    if event is not None and event.status is MessageStatus.FAILED:
        reason = f"Twilio error {error_code}" if error_code else f"Twilio reported {status}"
        return DeliveryEvent(event.name, event.status, reason)
    return event


async def simulate(
    session: AsyncSession, row: SandboxMessage, event_name: str, url: str | None
) -> Message | None:
    """Runs a simulated recipient event through the MailerSend path, and records it."""
    event = MAILERSEND_EVENTS[SIMULATED.get(event_name, event_name)]
    sandbox.note_event(row, event_name, url)
    return await apply_provider_event(session, "sandbox", str(row.id), event)


async def simulate_bulk(
    session: AsyncSession, workspace_id: uuid.UUID, spec: sandbox.SandboxFilter, event_name: str
) -> int:
    """The event on every capture the filter matches (the newest 500 per call)."""
    rows, _ = await sandbox.list_captured(session, workspace_id, spec, sandbox.MAX_LIMIT, 0)
    for row in rows:
        await simulate(session, row, event_name, None)
    return len(rows)
