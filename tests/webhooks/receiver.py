"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records what it gets and
verifies signatures with only the algorithm the README documents."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def verify(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """The README's receiver check, verbatim."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > 300:
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = headers["webhook-signature"].split()
    return any(hmac.compare_digest(expected, sig[3:]) for sig in offered if sig.startswith("v1,"))


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


Reply = tuple[int, dict[str, str]]


class Server(ThreadingHTTPServer):
    # The default backlog (5) drops connections when a sender opens dozens at once.
    request_queue_size = 256


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    reply: Callable[[Received], Reply] = lambda _request: (200, {})

    def events(self) -> list[Any]:
        return [item.json for item in self.received]


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: a client's pool reuses its connections

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            request = Received({k.lower(): v for k, v in self.headers.items()}, body)
            receiver.received.append(request)
            status, headers = receiver.reply(request)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args: Any) -> None:
            return

    server = Server(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
