"""UUIDv7 identifiers: time-ordered, so new rows append to the end of primary-key indexes.

Ids minted by one process are strictly increasing, also within one millisecond (RFC 9562
§6.2, method 3: the 12 bits after the milliseconds hold the sub-millisecond fraction, and a
clash or a clock step back takes the previous id plus one). Rows ordered by id, such as the
event outbox, therefore keep the order in which they were created.

Speed: a campaign batch mints several ids per recipient. The random bits come from the
operating system's generator (as `secrets` draws them) a few hundred ids' worth per call, and
the UUID object is built from its integer without re-validating it.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from array import array

_VERSION = 0x7 << 76
_VARIANT = 0x2 << 62
_RANDOM_MASK = (1 << 62) - 1
_POOL_SIZE = 512  # 64-bit random words drawn per call to os.urandom
_lock = threading.Lock()
_last = 0
_pool: list[int] = []
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown
_set = object.__setattr__


def _forget_pool() -> None:
    """A forked child must not mint the ids its parent's pool would: it draws its own."""
    _pool.clear()


os.register_at_fork(after_in_child=_forget_pool)


def _random_bits() -> int:
    if not _pool:
        _pool.extend(array("Q", os.urandom(8 * _POOL_SIZE)))
    return _pool.pop() & _RANDOM_MASK


def _candidate() -> int:
    nanos = time.time_ns()
    millis, fraction = divmod(nanos, 1_000_000)
    sub_millis = fraction * 4096 // 1_000_000  # 12 bits
    return (millis << 80) | _VERSION | (sub_millis << 64) | _VARIANT | _random_bits()


def _from_int(value: int) -> uuid.UUID:
    """`uuid.UUID(int=value)` for a value known to be a valid 128-bit version 7 UUID, without
    the constructor's argument checks (Python 3.14's `UUID._from_int` does the same)."""
    made = object.__new__(uuid.UUID)
    _set(made, "int", value)
    _set(made, "is_safe", _UNKNOWN_SAFETY)
    return made


def uuid7() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): 48-bit Unix milliseconds, 12 bits of sub-millisecond time,
    62 random bits; greater than every id this process minted before."""
    global _last
    with _lock:
        value = _candidate()
        if value <= _last:
            value = _last + 1  # the random bits absorb the step; version and variant stay
        _last = value
    return _from_int(value)
