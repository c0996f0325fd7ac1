"""The webhooks bench's receiver: a real HTTP server on 127.0.0.1 in its own process.

A separate process (uvicorn) so that receiving does not share the sender's interpreter lock,
as with any real receiver. `POST /hook/{n}` answers 200 and records the first receipt time of
each `webhook-id` for endpoint n, except that the endpoints listed in `BENCH_FLAKY` answer 500
to every other call. `GET /receipts` returns `[[n, webhook_id, unix_time], ...]`.

    BENCH_FLAKY=2 python -m uvicorn bench.webhook_receiver:app --port 8765
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]

FLAKY = frozenset(int(n) for n in os.environ.get("BENCH_FLAKY", "").split(",") if n)
received: dict[tuple[int, str], float] = {}
calls: dict[int, itertools.count[int]] = {}


async def _reply(send: Callable[[Message], Awaitable[None]], status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _hook(path: str, headers: dict[bytes, bytes]) -> int:
    endpoint = int(path.rsplit("/", 1)[-1])
    if endpoint in FLAKY and next(calls.setdefault(endpoint, itertools.count())) % 2 == 0:
        return 500
    webhook_id = headers.get(b"webhook-id", b"").decode()
    received.setdefault((endpoint, webhook_id), time.time())
    return 200


async def app(
    scope: Scope,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # drain the request body
        more = (await receive()).get("more_body", False)
    if scope["method"] == "GET":
        rows = [[n, webhook_id, at] for (n, webhook_id), at in received.items()]
        await _reply(send, 200, json.dumps(rows).encode())
        return
    await _reply(send, _hook(scope["path"], dict(scope["headers"])), b"{}")
