"""Sending deliveries: Standard Webhooks signatures, the retry schedule, endpoint health.

A delivery's body is fixed when it is created and its `webhook-id` is the event id, so every
attempt carries the same bytes and id. Each attempt is signed at send time (with the previous
secret too while a rotation's grace period lasts) and recorded with secret-free headers, the
response status, the first 2 KB of the response and the duration.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from kindred import __version__
from kindred.core.errors import KindredError
from kindred.core.http import GuardedHttpClient
from kindred.providers.standard_webhooks import SIGNATURE_HEADER, headers_for, sign
from kindred.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

# Delay after each failed attempt: 8 attempts over about 27 hours (Svix's schedule).
SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(SCHEDULE) + 1
JITTER = 0.1
MAX_RETRY_AFTER = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=3)
BODY_EXCERPT = 2048
USER_AGENT = f"Kindred-Webhooks/{__version__}"
# Requests in flight per endpoint, and the connections kept open for them.
CONCURRENCY = 10


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One per process: building a context reads the CA bundle (tens of milliseconds)."""
    return httpx.create_ssl_context()


def pooled_transport() -> httpx.AsyncHTTPTransport:
    """Keeps a connection per request in flight open between rounds (keep-alive)."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    return httpx.AsyncHTTPTransport(verify=_tls_context(), limits=limits)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def encode_body(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    payload = {"type": event_type, "timestamp": iso(occurred_at), "data": data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    secrets = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        secrets.append(endpoint.previous_secret)
    return secrets


def signed_headers(delivery: WebhookDelivery, secrets: list[str]) -> dict[str, str]:
    body = delivery.body.encode()
    headers = headers_for(str(delivery.event_id), body, secrets[0])
    timestamp = int(headers["webhook-timestamp"])
    headers[SIGNATURE_HEADER] = " ".join(
        sign(str(delivery.event_id), timestamp, body, secret) for secret in secrets
    )
    return headers | {"content-type": "application/json", "user-agent": USER_AGENT}


@dataclass(frozen=True)
class Outcome:
    headers: dict[str, str]
    duration_ms: int
    status: int | None = None
    body: str | None = None
    retry_after: timedelta | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """`Retry-After` in seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return min(timedelta(seconds=int(value)), MAX_RETRY_AFTER)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(moment - now, timedelta(0)), MAX_RETRY_AFTER) if moment.tzinfo else None


async def send(
    client: GuardedHttpClient, url: str, delivery: WebhookDelivery, secrets: list[str]
) -> Outcome:
    headers = signed_headers(delivery, secrets)
    started = time.perf_counter()
    try:
        response = await client.request(
            "POST", url, headers=headers, content=delivery.body.encode()
        )
    except KindredError as error:
        elapsed = int((time.perf_counter() - started) * 1000)
        return Outcome(headers, elapsed, error=error.message)
    elapsed = int((time.perf_counter() - started) * 1000)
    wait = None
    if response.status_code in (429, 503):
        wait = retry_after(response.headers.get("retry-after"), datetime.now(UTC))
    return Outcome(headers, elapsed, response.status_code, response.text[:BODY_EXCERPT], wait)


async def send_all(
    client: GuardedHttpClient, url: str, deliveries: list[WebhookDelivery], secrets: list[str]
) -> list[Outcome]:
    return list(await asyncio.gather(*(send(client, url, item, secrets) for item in deliveries)))


def next_delay(attempts: int, outcome: Outcome) -> timedelta:
    scheduled = SCHEDULE[min(attempts, len(SCHEDULE)) - 1]
    scheduled *= random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 - jitter, not security
    return max(scheduled, outcome.retry_after or timedelta(0))


def record(
    delivery: WebhookDelivery, outcome: Outcome, now: datetime, *, final: bool = False
) -> WebhookAttempt:
    """Applies one attempt's outcome to the delivery and returns its log entry."""
    delivery.attempts += 1
    delivery.last_attempt_at, delivery.locked_until, delivery.next_attempt_at = now, None, None
    if outcome.succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
    elif final or outcome.status == 410 or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = now + next_delay(delivery.attempts, outcome)
    return WebhookAttempt(
        workspace_id=delivery.workspace_id,
        delivery_id=delivery.id,
        attempted_at=now,
        request_headers=outcome.headers,
        response_status=outcome.status,
        response_body=outcome.body,
        duration_ms=outcome.duration_ms,
        error=outcome.error,
    )


def disable(endpoint: WebhookEndpoint, now: datetime, reason: str) -> None:
    endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason


def track_health(endpoint: WebhookEndpoint, outcome: Outcome, now: datetime) -> None:
    """410 disables at once; failures for DISABLE_AFTER in a row disable with the last error."""
    if outcome.succeeded:
        endpoint.failing_since = None
        return
    if outcome.status == 410:
        disable(endpoint, now, "The endpoint answered 410 Gone")
        return
    endpoint.failing_since = endpoint.failing_since or now
    if endpoint.enabled and now - endpoint.failing_since >= DISABLE_AFTER:
        last = outcome.error or f"HTTP {outcome.status}"
        since = iso(endpoint.failing_since)
        disable(endpoint, now, f"Every delivery failed since {since} (last: {last})"[:500])
