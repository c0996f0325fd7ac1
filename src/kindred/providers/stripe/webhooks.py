"""Stripe's `Stripe-Signature: t=<unix time>,v1=<hex>[,v1=…]`: HMAC-SHA256, keyed by the
endpoint secret, of `<t>.<raw body>`, within 300 s of now.

Verified here rather than by the SDK's WebhookSignature, which refuses stale timestamps but
accepts any timestamp from the future."""

from __future__ import annotations

from typing import Any

from kindred.providers.signatures import (
    TOLERANCE_SECONDS,
    InvalidWebhookSignature,
    check_timestamp,
    hmac_digest,
    matches_any,
    parse_json,
    require,
)

HEADER = "Stripe-Signature"


def _fields(header: str) -> tuple[str, list[str]]:
    pairs = [part.strip().partition("=") for part in header.split(",")]
    timestamps = [value for name, _, value in pairs if name == "t"]
    signatures = [value for name, _, value in pairs if name == "v1"]
    if len(timestamps) != 1 or not signatures:
        raise InvalidWebhookSignature("Malformed Stripe-Signature header")
    return timestamps[0], signatures


def verify_stripe(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> Any:
    """The event of a genuine Stripe delivery, parsed only after verification."""
    timestamp, signatures = _fields(require(header, HEADER))
    check_timestamp(timestamp, now, tolerance)
    expected = hmac_digest(secret.encode(), timestamp.encode() + b"." + payload).hex()
    if not matches_any(expected, signatures):
        raise InvalidWebhookSignature()
    return parse_json(payload)
