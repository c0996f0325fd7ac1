"""Signed links in campaign messages: unsubscribe, open pixel and click redirects.

A token names (campaign, contact) and carries an HMAC-SHA256 over a purpose and, for clicks,
the target URL; the key is derived from the secrets key. A click URL is therefore redirected
to only if Kindred signed it while rendering the message (no open redirect), and nobody can
unsubscribe or count an open for another recipient. A preview's token also says it is one
(a signed marker byte), so that its opens and clicks never count as the campaign's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html as markup
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache, partial
from urllib.parse import quote

from kindred.campaigns.errors import InvalidLink
from kindred.core.secrets import primary_key, split_keys
from kindred.settings import Settings

SIGNATURE_BYTES = 16
MAX_TRACKED_URL = 2000  # the click route's limit: a longer link is left as it is
MAX_REMEMBERED_URL = 2048
NO_CONTACT = uuid.UUID(int=0)  # the contact id in the links of a preview to a non-contact
PREVIEW_MARKER = b"\x01"  # ends a preview's token payload
IDS = 32  # bytes of the (campaign, contact) ids in a payload
HREF = re.compile(r"""(href\s*=\s*)(["'])(https?://[^"']+)\2""", re.IGNORECASE)
# The tags whose href a reader clicks; another's (<link rel="stylesheet">, <base>) is fetched by
# the mail client itself and would count as a click.
CLICKABLE = re.compile(r"(?:a|area)\b", re.IGNORECASE)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidLink() from error


def _memoised(function: Callable[[str], str]) -> Callable[[str], str]:
    """`function` remembering its last answers for URLs of usual length: a campaign links to
    the same few URLs in every recipient's message (and an outsized one is not kept)."""
    remembered = lru_cache(maxsize=256)(function)
    return lambda url: remembered(url) if len(url) <= MAX_REMEMBERED_URL else function(url)


_unescaped = _memoised(markup.unescape)
_quoted = _memoised(partial(quote, safe=""))


@dataclass(frozen=True)
class Recipient:
    """Whom a message's links name; `preview` for a preview's (which counts in no figure)."""

    campaign_id: uuid.UUID
    contact_id: uuid.UUID
    preview: bool = False

    @cached_property
    def payload(self) -> str:
        """The token's first part, shared by the message's links."""
        marker = PREVIEW_MARKER if self.preview else b""
        return _b64(self.campaign_id.bytes + self.contact_id.bytes + marker)

    @property
    def sample(self) -> bool:
        """Whether the links are a preview's to an address that is no contact."""
        return self.contact_id == NO_CONTACT

    @property
    def counts(self) -> bool:
        """Whether what is done through these links counts in the campaign's figures: not for
        a preview (nor a preview to a non-contact signed before previews were marked)."""
        return not (self.preview or self.sample)

    @classmethod
    def of(cls, payload: str) -> Recipient:
        """The recipient a (verified) payload names; InvalidLink if it names none."""
        raw = _unb64(payload)
        if len(raw) != IDS and raw[IDS:] != PREVIEW_MARKER:
            raise InvalidLink()
        ids = raw[:IDS]
        return cls(uuid.UUID(bytes=ids[:16]), uuid.UUID(bytes=ids[16:]), len(raw) > IDS)


def _seeds(settings: Settings) -> list[str]:
    """Every configured secrets key, the one that encrypts first."""
    return split_keys(settings.secrets_key) if settings.secrets_key else [primary_key(settings)]


class Signer:
    """Signs with the key derived from the secrets key that encrypts; verifies with those of
    every configured one, so that the links of emails sent before a key rotation (the
    unsubscribe link above all) keep working while the old key stays configured."""

    def __init__(self, settings: Settings) -> None:
        self._keyed = [  # copied: cheaper than re-keying
            hmac.new(
                hashlib.sha256(b"kindred.campaigns.links\0" + seed.encode()).digest(),
                digestmod=hashlib.sha256,
            )
            for seed in _seeds(settings)
        ]

    @staticmethod
    def _mac(keyed: hmac.HMAC, purpose: str, payload: str, extra: str) -> bytes:
        mac = keyed.copy()
        mac.update(f"{purpose}\0{payload}\0{extra}".encode())
        return _b64(mac.digest()[:SIGNATURE_BYTES]).encode()

    def token(self, recipient: Recipient, purpose: str, extra: str = "") -> str:
        signature = self._mac(self._keyed[0], purpose, recipient.payload, extra).decode()
        return f"{recipient.payload}.{signature}"

    def verify(self, token: str, purpose: str, extra: str = "") -> Recipient:
        """The recipient a token names; InvalidLink (404) for any tampering."""
        payload, _, signature = token.partition(".")
        given = signature.encode()
        if not any(
            hmac.compare_digest(given, self._mac(keyed, purpose, payload, extra))
            for keyed in self._keyed
        ):
            raise InvalidLink()
        return Recipient.of(payload)


@dataclass(frozen=True)
class Links:
    """The URLs one recipient's message carries."""

    signer: Signer
    base: str
    recipient: Recipient

    def unsubscribe(self) -> str:
        token = self.signer.token(self.recipient, "unsubscribe")
        return f"{self.base}/api/campaigns/unsubscribe?token={token}"

    def open_pixel(self) -> str:
        return f"{self.base}/api/campaigns/open/{self.signer.token(self.recipient, 'open')}.gif"

    def click(self, url: str) -> str:
        token = self.signer.token(self.recipient, "click", url)
        return f"{self.base}/api/campaigns/click/{token}?url={_quoted(url)}"

    def track_clicks(self, body: str) -> str:
        """Every absolute http(s) href of a link (`<a>`, `<area>`) up to `MAX_TRACKED_URL`
        characters points at the signed click redirect."""
        parts: list[str] = []
        end = 0
        for match in _hrefs(body):
            url = _unescaped(match[3])
            if len(url) > MAX_TRACKED_URL or not _in_clickable_tag(body, match.start()):
                continue
            link = self.click(url)
            parts += body[end : match.start()], match[1], match[2], link, match[2]
            end = match.end()
        parts.append(body[end:])
        return "".join(parts)


def _in_clickable_tag(body: str, index: int) -> bool:
    """Whether `index` lies inside the opening tag of a link: after its `<a` or `<area`, with no
    `>` between."""
    opening = body.rfind("<", 0, index)
    return opening > body.rfind(">", 0, index) and bool(CLICKABLE.match(body, opening + 1))


def _hrefs(body: str) -> Iterator[re.Match[str]]:
    """`HREF.finditer(body)`, without trying the case-insensitive pattern at every character
    (most of the cost of a long body): only ASCII letters match its "href" ignoring case, so a
    match can start only where the lowered body reads "href"."""
    lowered = body.lower()
    if len(lowered) != len(body):  # a character lowered to several: indexes would not line up
        yield from HREF.finditer(body)
        return
    start = lowered.find("href")
    while start >= 0:
        match = HREF.match(body, start)
        if match:
            yield match
        start = lowered.find("href", match.end() if match else start + 1)
