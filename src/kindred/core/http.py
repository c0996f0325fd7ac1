"""The one HTTP client for addresses users give (webhook actions and endpoints, image URLs,
OAuth redirects): no request reaches loopback, private, link-local, CGNAT, multicast, reserved
or cloud-metadata addresses, however the address is spelled.

Every hop (the first URL and each redirect, three at most) is parsed with the C library's
rules for numeric hosts (decimal `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`, short `127.1`),
IPv6 (`::1`, IPv4-mapped, NAT64, 6to4 and IPv4-compatible forms by their embedded IPv4) and
names (`localhost`, `*.localhost`, trailing dots, percent-encoding); names are resolved and
every address they resolve to must be allowed. The connection then goes to the checked address,
with the name in the Host header and TLS SNI, so a second DNS answer cannot redirect it
(no DNS rebinding). Responses are capped in size and the whole exchange in time. Only https
is allowed unless `KINDRED_ALLOW_PRIVATE_TARGETS=true`, which also allows private targets
(tests, on-premises); cloud-metadata addresses stay refused even then.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

import httpx

from kindred.core.errors import BadRequest, KindredError
from kindred.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

METADATA_NAMES = frozenset(
    {"metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class UnsafeUrl(BadRequest):
    code = "UNSAFE_URL"
    message = "This URL is not allowed"


class OutboundRequestFailed(KindredError):
    status = 502
    code = "OUTBOUND_REQUEST_FAILED"
    message = "The outbound request failed"


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`ip`) and what to call the host (`host`)."""

    url: str
    scheme: str
    host: str
    ip: IPAddress
    port: int
    is_name: bool

    def pinned_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        parts = urlsplit(self.url)
        address = f"[{self.ip}]" if self.ip.version == 6 else str(self.ip)
        return urlunsplit(
            (self.scheme, f"{address}:{self.port}", parts.path or "/", parts.query, "")
        )

    def host_header(self) -> str:
        default = {"http": 80, "https": 443}[self.scheme]
        host = self.host if self.is_name or self.ip.version == 4 else f"[{self.host}]"
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True)
class OutboundResponse:
    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


def parse_ip(host: str) -> IPAddress | None:
    """The address a numeric host means, in every spelling the C library accepts."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(ip: IPAddress, allow_private: bool) -> str | None:
    """Why `ip` may not be contacted, or None."""
    if isinstance(ip, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(ip)):
        return refusal(embedded, allow_private)
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "not a unicast address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local and not allow_private:
        return "a private address"
    if not ip.is_global and not allow_private:
        return "a private, loopback or link-local address"
    return None


async def system_resolver(host: str, port: int) -> Sequence[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _split(url: str, allow_private: bool) -> tuple[SplitResult, str]:
    try:
        parts = urlsplit(url.strip())
        hostname = unquote(parts.hostname or "").rstrip(".").lower()
        port = parts.port
    except ValueError as error:
        raise UnsafeUrl("This URL is not valid") from error
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes:
        raise UnsafeUrl(f"Only {' or '.join(allowed_schemes)} URLs are allowed")
    if not hostname or parts.username is not None or port == 0:
        raise UnsafeUrl("The URL needs a host and no credentials")
    return parts, hostname


async def _addresses(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    try:
        resolved = await resolver(host, port)
    except OSError as error:
        raise UnsafeUrl("The URL's host does not resolve") from error
    return [ipaddress.ip_address(address.split("%", 1)[0]) for address in resolved]


async def check_url(url: str, settings: Settings, resolver: Resolver = system_resolver) -> Target:
    """The checked Target of `url`, or UnsafeUrl; every address a name resolves to counts."""
    allow_private = settings.allow_private_targets
    parts, host = _split(url, allow_private)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if host in METADATA_NAMES:
        raise UnsafeUrl("This URL points at a cloud metadata service")
    if (host == "localhost" or host.endswith(".localhost")) and not allow_private:
        raise UnsafeUrl("This URL points at the local machine")
    literal = parse_ip(host.strip("[]"))
    addresses = [literal] if literal else await _addresses(host, port, resolver)
    for address in addresses:
        if reason := refusal(address, allow_private):
            raise UnsafeUrl(f"This URL points at {reason}")
    if not addresses:
        raise UnsafeUrl("The URL's host does not resolve")
    shown = str(literal) if literal else host
    return Target(url.strip(), parts.scheme, shown, addresses[0], port, literal is None)


def _next_method(status: int, method: str) -> str:
    """303 (and 301/302 after a POST, as browsers do) continue with GET and no body."""
    if status == 303 or (status in (301, 302) and method == "POST"):
        return "GET"
    return method


class GuardedHttpClient:
    """`async with GuardedHttpClient(settings) as http: await http.request("POST", url, ...)`."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.settings = settings
        self.resolver = resolver
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            timeout=settings.outbound_timeout_seconds,
            trust_env=False,  # a proxy would connect by name, after our check
        )

    async def __aenter__(self) -> GuardedHttpClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        json: Any = None,
    ) -> OutboundResponse:
        """Sends the request, following at most `outbound_max_redirects` checked redirects."""
        if json is not None:
            content = _json_bytes(json)
            headers = {"content-type": "application/json"} | (headers or {})
        try:
            async with asyncio.timeout(self.settings.outbound_timeout_seconds):
                return await self._follow(method.upper(), url, headers or {}, content)
        except TimeoutError as error:
            raise OutboundRequestFailed("The outbound request timed out") from error
        except httpx.HTTPError as error:
            raise OutboundRequestFailed(f"The outbound request failed: {error}") from error

    async def _follow(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None
    ) -> OutboundResponse:
        for _hop in range(self.settings.outbound_max_redirects + 1):
            target = await check_url(url, self.settings, self.resolver)
            response = await self._send(target, method, headers, content)
            location = response.headers.get("location")
            if response.status_code not in REDIRECTS or not location:
                return response
            next_url = urljoin(url, location)
            if urlsplit(next_url).netloc != urlsplit(url).netloc:
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            method, url = _next_method(response.status_code, method), next_url
            content = content if method not in ("GET", "HEAD") else None
        raise OutboundRequestFailed("Too many redirects")

    async def _send(
        self, target: Target, method: str, headers: dict[str, str], content: bytes | None
    ) -> OutboundResponse:
        request = self._client.build_request(
            method,
            target.pinned_url(),
            headers=headers | {"host": target.host_header()},
            content=content,
            extensions={"sni_hostname": target.host} if target.is_name else {},
        )
        response = await self._client.send(request, stream=True)
        try:
            body = await self._read_capped(response)
        finally:
            await response.aclose()
        return OutboundResponse(response.status_code, response.headers, body, target.url)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        limit = self.settings.outbound_max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise OutboundRequestFailed(f"The response is larger than {limit} bytes")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise OutboundRequestFailed(f"The response is larger than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
