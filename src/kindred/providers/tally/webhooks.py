"""Tally's `Tally-Signature` header: base64 HMAC-SHA256 of the raw body, keyed by the signing
secret set on the form's webhook. Tally signs no timestamp: replays are caught by the event id
(`providers.inbound.record_once`)."""

from __future__ import annotations

import base64
from typing import Any

from kindred.providers.signatures import (
    InvalidWebhookSignature,
    hmac_digest,
    matches_any,
    parse_json,
    require,
)

HEADER = "tally-signature"


def sign(payload: bytes, secret: str) -> str:
    return base64.b64encode(hmac_digest(secret.encode(), payload)).decode()


def verify_tally(payload: bytes, signature: str | None, secret: str) -> Any:
    """The body of a genuine Tally delivery, parsed only after verification."""
    if not matches_any(sign(payload, secret), [require(signature, HEADER)]):
        raise InvalidWebhookSignature()
    return parse_json(payload)
