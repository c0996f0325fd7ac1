"""Standard Webhooks (Kindred's own outbound webhooks and workflow WEBHOOK steps): headers
`webhook-id`, `webhook-timestamp` and
`webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` (space-separated when
several keys sign), keyed by the `whsec_`-prefixed base64 secret, within 300 s of now in
both directions."""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Mapping
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

SECRET_PREFIX = "whsec_"
ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = (
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
)


def new_secret() -> str:
    """A fresh signing secret for an outbound webhook endpoint."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as error:
        raise ValueError("A Standard Webhooks secret is `whsec_` and base64") from error


def sign(message_id: str, timestamp: int, payload: bytes, secret: str) -> str:
    """The `webhook-signature` value (`v1,<base64>`) for one message."""
    signed = f"{message_id}.{timestamp}.".encode() + payload
    return "v1," + base64.b64encode(hmac_digest(_key(secret), signed)).decode()


def headers_for(
    message_id: str, payload: bytes, secret: str, timestamp: int | None = None
) -> dict[str, str]:
    """The three headers an outbound delivery carries."""
    moment = int(time.time()) if timestamp is None else timestamp
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(moment),
        SIGNATURE_HEADER: sign(message_id, moment, payload, secret),
    }


def verify(
    payload: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> Any:
    """The JSON body of a genuine delivery; `headers` as received (case-insensitive mapping
    or lower-case names)."""
    message_id = require(headers.get(ID_HEADER), ID_HEADER)
    timestamp = check_timestamp(
        require(headers.get(TIMESTAMP_HEADER), TIMESTAMP_HEADER), now, tolerance
    )
    offered = require(headers.get(SIGNATURE_HEADER), SIGNATURE_HEADER).split()
    expected = sign(message_id, timestamp, payload, secret).removeprefix("v1,")
    candidates = [
        value for version, _, value in (s.partition(",") for s in offered) if version == "v1"
    ]
    if not matches_any(expected, candidates):
        raise InvalidWebhookSignature()
    return parse_json(payload)
