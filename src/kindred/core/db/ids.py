"""UUIDv7 identifiers: time-ordered, so new rows append to the end of primary-key indexes."""

from __future__ import annotations

import secrets
import time
import uuid

_VERSION_MASK = 0xF << 76
_VARIANT_MASK = 0x3 << 62


def uuid7() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then 74 random bits."""
    millis = time.time_ns() // 1_000_000
    value = (millis << 80) | int.from_bytes(secrets.token_bytes(10), "big")
    value = (value & ~_VERSION_MASK) | (0x7 << 76)
    value = (value & ~_VARIANT_MASK) | (0x2 << 62)
    return uuid.UUID(int=value)
