"""UUIDv7 ids: valid version 7, and strictly increasing within a process even when many are
minted in the same millisecond (the event outbox relies on id order)."""

from __future__ import annotations

import os
import pickle
import uuid

import pytest

from kindred.core.db.ids import uuid7

RANDOM_BITS = (1 << 62) - 1


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


def test_ids_behave_as_uuids_parsed_from_their_text() -> None:
    value = uuid7()
    parsed = uuid.UUID(str(value))
    assert (value == parsed, hash(value) == hash(parsed)) == (True, True)
    assert pickle.loads(pickle.dumps(value)) == value
    assert {value: 1}[parsed] == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_process_mints_other_random_bits_than_its_parent() -> None:
    uuid7()  # the parent has random bits drawn and waiting
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(writer, str(uuid7().int & RANDOM_BITS).encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    with os.fdopen(reader) as pipe:
        childs = int(pipe.read())
    assert uuid7().int & RANDOM_BITS != childs
