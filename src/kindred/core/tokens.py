"""Random tokens and their stored digests (session tokens, API keys, signing secrets)."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """SHA-256 hex of a high-entropy token: what the database stores and looks up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equals(left: str | bytes, right: str | bytes) -> bool:
    a = left.encode() if isinstance(left, str) else left
    b = right.encode() if isinstance(right, str) else right
    return hmac.compare_digest(a, b)
