"""MailerSend's `Signature` header: hex HMAC-SHA256 of the raw body, keyed by the webhook's
signing secret."""

from __future__ import annotations

from typing import Any

from kindred.providers.signatures import (
    InvalidWebhookSignature,
    hmac_digest,
    matches_any,
    parse_json,
    require,
)

HEADER = "Signature"


def verify_mailersend(payload: bytes, signature: str | None, secret: str) -> Any:
    """The event of a genuine MailerSend delivery, parsed only after verification."""
    expected = hmac_digest(secret.encode(), payload).hex()
    if not matches_any(expected, [require(signature, HEADER)]):
        raise InvalidWebhookSignature()
    return parse_json(payload)
