"""Signed links in campaign messages: unsubscribe, open pixel and click redirects.

A token names (campaign, contact) and carries an HMAC-SHA256 over a purpose and, for clicks,
the target URL; the key is derived from the secrets key. A click URL is therefore redirected
to only if Kindred signed it while rendering the message (no open redirect), and nobody can
unsubscribe or count an open for another recipient.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html as markup
import re
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from kindred.campaigns.errors import InvalidLink
from kindred.core.secrets import primary_key
from kindred.settings import Settings

SIGNATURE_BYTES = 16
HREF = re.compile(r"""(href\s*=\s*)(["'])(https?://[^"']+)\2""", re.IGNORECASE)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidLink() from error


@dataclass(frozen=True)
class Recipient:
    campaign_id: uuid.UUID
    contact_id: uuid.UUID


class Signer:
    def __init__(self, settings: Settings) -> None:
        seed = primary_key(settings).encode()
        self._key = hashlib.sha256(b"kindred.campaigns.links\0" + seed).digest()

    def _mac(self, purpose: str, payload: str, extra: str) -> str:
        message = f"{purpose}\0{payload}\0{extra}".encode()
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest()[:SIGNATURE_BYTES])

    def token(self, recipient: Recipient, purpose: str, extra: str = "") -> str:
        payload = _b64(recipient.campaign_id.bytes + recipient.contact_id.bytes)
        return f"{payload}.{self._mac(purpose, payload, extra)}"

    def verify(self, token: str, purpose: str, extra: str = "") -> Recipient:
        """The recipient a token names; InvalidLink (404) for any tampering."""
        payload, _, signature = token.partition(".")
        expected = self._mac(purpose, payload, extra).encode()
        if not hmac.compare_digest(signature.encode(), expected):
            raise InvalidLink()
        raw = _unb64(payload)
        if len(raw) != 32:
            raise InvalidLink()
        return Recipient(uuid.UUID(bytes=raw[:16]), uuid.UUID(bytes=raw[16:]))


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
        return f"{self.base}/api/campaigns/click/{token}?url={quote(url, safe='')}"

    def track_clicks(self, body: str) -> str:
        """Every absolute http(s) href points at the signed click redirect."""
        return HREF.sub(lambda m: f"{m[1]}{m[2]}{self.click(markup.unescape(m[3]))}{m[2]}", body)
