"""UUIDv7 ids: valid version 7, and strictly increasing within a process even when many are
minted in the same millisecond (the event outbox relies on id order)."""

from __future__ import annotations

import uuid

from kindred.core.db.ids import uuid7


def test_ids_minted_in_one_millisecond_keep_their_order() -> None:
    minted = [uuid7() for _ in range(10_000)]  # many share a millisecond
    millis = [value.int >> 80 for value in minted]
    assert len(set(millis)) < len(minted)
    assert minted == sorted(minted)
    assert len(set(minted)) == len(minted)


def test_ids_are_rfc_9562_version_7() -> None:
    value = uuid7()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
