"""One POST to a provider's HTTP API, its answer sorted into accepted, refused or retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from kindred.providers.base import ProviderRejected, ProviderUnavailable

RETRIED_STATUSES = frozenset({408, 409, 425, 429})


async def post_to_provider(
    client: httpx.AsyncClient,
    url: str,
    *,
    reason: Callable[[httpx.Response], str],
    **request: Any,
) -> httpx.Response:
    """A 2xx answer; ProviderRejected for a refusal (4xx, with the provider's reason),
    ProviderUnavailable for what is worth retrying (network, 429, 5xx)."""
    try:
        response = await client.post(url, **request)
    except httpx.HTTPError as error:
        raise ProviderUnavailable(f"{type(error).__name__}: {error}") from error
    if response.status_code >= 500 or response.status_code in RETRIED_STATUSES:
        raise ProviderUnavailable(reason(response))
    if response.status_code >= 400:
        raise ProviderRejected(reason(response))
    return response


def error_field(response: httpx.Response, vendor: str, *keys: str) -> str:
    """`<vendor>: <the error message at keys>` from a JSON error answer, else its status."""
    try:
        value: Any = response.json()
        for key in keys:
            value = value[key]
        return f"{vendor}: {value}"
    except (ValueError, KeyError, TypeError, IndexError):
        return f"{vendor} answered {response.status_code}"
