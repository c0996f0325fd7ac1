"""Idempotency cases for the forms routes (see tests/idempotency_registry.py)."""

from __future__ import annotations

from tests.idempotency_registry import Excluded

CASES = {
    "/api/webhooks/tally": Excluded(
        "a provider webhook: deduplicated by Tally's event id (record_once), keyless"
    ),
}
