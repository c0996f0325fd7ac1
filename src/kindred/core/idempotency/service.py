"""Claiming an Idempotency-Key: run the request, replay the first response, or refuse.

The claim runs in its own short transaction, apart from the request's: it must be visible
to a concurrent duplicate while the first request is still running. The response is stored
in the request's own transaction, so it commits exactly when the request's changes do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.errors import Conflict, Unprocessable
from kindred.core.idempotency.models import IdempotencyRecord
from kindred.core.idempotency.repository import Claim, IdempotencyRepository
from kindred.settings import Settings


class IdempotencyKeyReused(Unprocessable):
    code = "IDEMPOTENCY_KEY_REUSED"
    message = "This Idempotency-Key was already used for a different request"


class IdempotentRequestInProgress(Conflict):
    code = "IDEMPOTENCY_REQUEST_IN_PROGRESS"
    message = "A request with this Idempotency-Key is still running; retry later"


class IdempotencyClaimLost(Conflict):
    code = "IDEMPOTENCY_CLAIM_LOST"
    message = (
        "This request ran past the Idempotency-Key lock period and a retry took the key over;"
        " its changes were not saved"
    )


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, Any] = field(default_factory=dict)
    body: bytes = b""


def is_storable(status: int) -> bool:
    """Server errors and rate limiting are not an outcome: the key stays free for a retry."""
    return status < 500 and status != 429


def _claimable(record: IdempotencyRecord, now: datetime, settings: Settings) -> bool:
    """Expired, or still running past the lock period (its request crashed)."""
    abandoned = record.locked_at <= now - timedelta(seconds=settings.idempotency_lock_seconds)
    return record.expires_at <= now or (record.response_status is None and abandoned)


async def begin(
    session: AsyncSession, claim: Claim, settings: Settings, now: datetime
) -> StoredResponse | None:
    """None when `claim` now owns the key (run the request); else the response to replay.

    Raises IdempotencyKeyReused for another request under the same key and
    IdempotentRequestInProgress while the first request runs.
    """
    repository = IdempotencyRepository(session)
    expires_at = now + timedelta(hours=settings.idempotency_ttl_hours)
    if await repository.insert_claim(claim, now, expires_at):
        return None
    record = await repository.find(claim.workspace_id, claim.key)
    if record is None:  # released by a failed first request between our two statements
        raise IdempotentRequestInProgress()
    if _claimable(record, now, settings):
        if await repository.take_over(record, claim, now, expires_at):
            return None
        raise IdempotentRequestInProgress()
    if record.fingerprint != claim.fingerprint:
        raise IdempotencyKeyReused()
    if record.response_status is None:
        raise IdempotentRequestInProgress()
    return StoredResponse(
        record.response_status, record.response_headers or {}, record.response_body or b""
    )


async def finish(session: AsyncSession, claim: Claim, response: StoredResponse | None) -> None:
    """Stores the first response, or frees the key when there is none worth replaying.

    Raises IdempotencyClaimLost when a retry took the key over: the caller must then roll the
    request back, or both would apply it.
    """
    repository = IdempotencyRepository(session)
    if response is not None and is_storable(response.status):
        if not await repository.complete(claim, response.status, response.headers, response.body):
            raise IdempotencyClaimLost()
    else:
        await repository.release(claim)
