"""What every inbound webhook verifier shares: HMAC, constant-time comparison, timestamp
tolerance (both directions: a delivery from the future is as suspect as a stale one), and
the refusal errors. Verifiers run over the raw body, before anything parses it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterable
from typing import Any

from kindred.core.errors import BadRequest, Unauthorized
from kindred.core.tokens import constant_time_equals

TOLERANCE_SECONDS = 300


class InvalidWebhookSignature(Unauthorized):
    code = "INVALID_SIGNATURE"
    message = "Webhook signature verification failed"


class InvalidWebhookPayload(BadRequest):
    code = "INVALID_PAYLOAD"
    message = "Webhook payload is not valid JSON"


def hmac_digest(secret: bytes, message: bytes, algorithm: str = "sha256") -> bytes:
    return hmac.new(secret, message, getattr(hashlib, algorithm)).digest()


def matches_any(expected: str, candidates: Iterable[str]) -> bool:
    """Constant-time comparison against each candidate (every one is compared)."""
    results = [constant_time_equals(expected, candidate.strip()) for candidate in candidates]
    return any(results)


def require(value: str | None, header: str) -> str:
    if not value:
        raise InvalidWebhookSignature(f"Missing {header} header")
    return value


def check_timestamp(
    value: str, now: float | None = None, tolerance: int = TOLERANCE_SECONDS
) -> int:
    """The Unix timestamp `value`, refused when more than `tolerance` seconds from now."""
    try:
        timestamp = int(value)
    except ValueError as error:
        raise InvalidWebhookSignature("Malformed webhook timestamp") from error
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise InvalidWebhookSignature("Webhook timestamp is outside the tolerance")
    return timestamp


def parse_json(payload: bytes) -> Any:
    """The verified body as JSON."""
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidWebhookPayload() from error
