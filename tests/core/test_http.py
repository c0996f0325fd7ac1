"""The guarded outbound client: every spelling of an internal address is refused, redirects are
re-checked, connections are pinned to the checked address, responses are capped."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from kindred.core.http import GuardedHttpClient, OutboundRequestFailed, UnsafeUrl, check_url
from kindred.settings import Settings

STRICT = Settings(allow_private_targets=False)
ALLOWED = Settings(allow_private_targets=True, outbound_timeout_seconds=1.0)
PUBLIC_IP = "93.184.216.34"

# Each one names loopback, a private, link-local, CGNAT, multicast, reserved, unspecified or
# cloud-metadata address (42 spellings).
UNSAFE_URLS = [
    "https://127.0.0.1/",
    "https://2130706433/",  # decimal
    "https://0177.0.0.1/",  # octal
    "https://017700000001/",  # octal, one number
    "https://0x7f.1/",  # hex, short form
    "https://0x7f000001/",  # hex, one number
    "https://0x7F.0.0.1/",  # hex, upper case
    "https://127.1/",  # short form
    "https://127.0.1/",  # short form, three parts
    "https://127.0.0.1./",  # trailing dot
    "https://%31%32%37.0.0.1/",  # percent-encoded
    "https://[::1]/",
    "https://[0:0:0:0:0:0:0:1]/",
    "https://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "https://[::ffff:7f00:1]/",  # IPv4-mapped, hex
    "https://[::127.0.0.1]/",  # IPv4-compatible
    "https://[64:ff9b::7f00:1]/",  # NAT64
    "https://[2002:7f00:1::]/",  # 6to4
    "https://localhost/",
    "https://LOCALHOST./",
    "https://api.localhost/",
    "https://10.0.0.1/",
    "https://10.1/",
    "https://172.16.5.4/",
    "https://192.168.1.1/",
    "https://[::ffff:192.168.1.1]/",
    "https://169.254.169.254/latest/meta-data/",  # AWS, GCP, Azure metadata
    "https://2852039166/",  # the same, decimal
    "https://0xa9.0xfe.0xa9.0xfe/",  # the same, hex
    "https://[::ffff:169.254.169.254]/",
    "https://[fd00:ec2::254]/",  # AWS metadata, IPv6
    "https://metadata.google.internal./",
    "https://100.100.100.200/",  # Alibaba metadata (CGNAT range)
    "https://169.254.1.1/",  # link-local
    "https://[fe80::1]/",
    "https://100.64.0.1/",  # CGNAT
    "https://[fc00::1]/",  # unique local
    "https://224.0.0.1/",  # multicast
    "https://[ff02::1]/",
    "https://0.0.0.0/",  # unspecified
    "https://0/",
    "https://240.0.0.1/",  # reserved
]


async def no_dns(host: str, port: int) -> Sequence[str]:
    raise AssertionError(f"{host} must not need a DNS lookup")


def test_the_spelling_list_is_as_long_as_the_report_says() -> None:
    assert len(UNSAFE_URLS) == 42


@pytest.mark.parametrize("url", UNSAFE_URLS)
async def test_internal_address_is_refused_in_every_spelling(url: str) -> None:
    async def resolver(host: str, port: int) -> Sequence[str]:
        return {"metadata.google.internal": ["169.254.169.254"]}.get(host, ["127.0.0.1"])

    with pytest.raises(UnsafeUrl):
        await check_url(url, STRICT, resolver)


@pytest.mark.parametrize(
    "answer", [["10.0.0.5"], [PUBLIC_IP, "192.168.0.9"], ["::1"], ["169.254.169.254"]]
)
async def test_a_name_is_refused_when_any_address_it_resolves_to_is_internal(
    answer: list[str],
) -> None:
    async def resolver(host: str, port: int) -> Sequence[str]:
        return answer

    with pytest.raises(UnsafeUrl):
        await check_url("https://hooks.example.com/x", STRICT, resolver)


@pytest.mark.parametrize(
    "url",
    ["http://example.com/", "ftp://example.com/", "https://user:pw@example.com/", "https:///"],
)
async def test_other_schemes_credentials_and_empty_hosts_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        await check_url(url, STRICT, no_dns)


async def test_public_addresses_pass_and_pin_the_checked_address() -> None:
    target = await check_url(f"https://{PUBLIC_IP}/a?b=1", STRICT, no_dns)
    assert (str(target.ip), target.pinned_url()) == (PUBLIC_IP, f"https://{PUBLIC_IP}:443/a?b=1")


async def test_metadata_stays_refused_when_private_targets_are_allowed() -> None:
    with pytest.raises(UnsafeUrl):
        await check_url("http://169.254.169.254/", ALLOWED, no_dns)


def mock_client(handler: httpx.MockTransport, settings: Settings = STRICT) -> GuardedHttpClient:
    async def resolver(host: str, port: int) -> Sequence[str]:
        return [PUBLIC_IP]

    return GuardedHttpClient(settings, transport=handler, resolver=resolver)


async def test_connection_goes_to_the_checked_ip_with_the_name_as_host_and_sni() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    async with mock_client(httpx.MockTransport(handler)) as http:
        response = await http.request("POST", "https://hooks.example.com/in", json={"a": 1})
    assert response.json() == {"ok": True}
    assert seen[0].url.host == PUBLIC_IP
    assert seen[0].headers["host"] == "hooks.example.com"
    assert seen[0].extensions["sni_hostname"] == "hooks.example.com"
    assert seen[0].content == b'{"a":1}'


@pytest.mark.parametrize(
    "location", ["https://169.254.169.254/latest", "https://2130706433/", "http://example.org/"]
)
async def test_a_redirect_to_an_internal_address_is_refused(location: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": location})

    async with mock_client(httpx.MockTransport(handler)) as http:
        with pytest.raises(UnsafeUrl):
            await http.request("GET", "https://hooks.example.com/start")


@pytest.mark.parametrize(("hops", "succeeds"), [(3, True), (4, False)])
async def test_at_most_three_redirects_are_followed(hops: int, succeeds: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        step = int(request.url.path.strip("/") or 0)
        if step < hops:
            return httpx.Response(307, headers={"location": f"/{step + 1}"})
        return httpx.Response(200, text="done")

    async with mock_client(httpx.MockTransport(handler)) as http:
        if succeeds:
            assert (await http.request("GET", "https://hooks.example.com/0")).text == "done"
        else:
            with pytest.raises(OutboundRequestFailed, match="redirects"):
                await http.request("GET", "https://hooks.example.com/0")


async def test_a_response_past_the_size_cap_is_refused() -> None:
    settings = Settings(outbound_max_response_bytes=1000)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(2):
            yield b"x" * 600

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())  # streamed: no content-length

    async with mock_client(httpx.MockTransport(handler), settings) as http:
        with pytest.raises(OutboundRequestFailed, match="larger"):
            await http.request("GET", "https://hooks.example.com/big")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("location", "/hello")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(2)
        body = f"hello {self.headers['host']}".encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def local_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


async def test_real_requests_work_when_private_targets_are_allowed(local_server: int) -> None:
    async with GuardedHttpClient(ALLOWED) as http:
        response = await http.request("GET", f"http://0177.0.0.1:{local_server}/redirect")
    assert response.status_code == 200
    assert response.text == f"hello 127.0.0.1:{local_server}"


async def test_the_local_server_is_refused_by_default(local_server: int) -> None:
    async with GuardedHttpClient(STRICT) as http:
        with pytest.raises(UnsafeUrl):
            await http.request("GET", f"https://127.0.0.1:{local_server}/hello")


async def test_the_total_time_is_capped(local_server: int) -> None:
    async with GuardedHttpClient(ALLOWED) as http:
        with pytest.raises(OutboundRequestFailed, match="timed out"):
            await http.request("GET", f"http://127.0.0.1:{local_server}/slow")
