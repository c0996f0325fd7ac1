"""UUIDv7 identifiers: time-ordered, so new rows append to the end of primary-key indexes.

Ids minted by one process are strictly increasing, also within one millisecond (RFC 9562
§6.2, method 3: the 12 bits after the milliseconds hold the sub-millisecond fraction, and a
clash or a clock step back takes the previous id plus one). Rows ordered by id, such as the
event outbox, therefore keep the order in which they were created.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid

_VERSION = 0x7 << 76
_VARIANT = 0x2 << 62
_RANDOM_BITS = 62
_lock = threading.Lock()
_last = 0


def _candidate() -> int:
    nanos = time.time_ns()
    millis, fraction = divmod(nanos, 1_000_000)
    sub_millis = fraction * 4096 // 1_000_000  # 12 bits
    random = secrets.randbits(_RANDOM_BITS)
    return (millis << 80) | _VERSION | (sub_millis << 64) | _VARIANT | random


def uuid7() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): 48-bit Unix milliseconds, 12 bits of sub-millisecond time,
    62 random bits; greater than every id this process minted before."""
    global _last
    with _lock:
        value = _candidate()
        if value <= _last:
            value = _last + 1  # the random bits absorb the step; version and variant stay
        _last = value
    return uuid.UUID(int=value)
