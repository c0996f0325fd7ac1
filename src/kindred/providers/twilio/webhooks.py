"""Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1, keyed by the auth token, of the full URL
Twilio requested followed by every POST parameter name and value, sorted by name.

The official SDK's RequestValidator computes it (it also tries the URL with and without the
default port, as Twilio signs what it was configured with)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from kindred.providers.signatures import InvalidWebhookSignature, require

HEADER = "X-Twilio-Signature"


def verify_twilio(
    url: str, raw_body: bytes, signature: str | None, auth_token: str
) -> ImmutableMultiDict[str, str]:
    """The form parameters of a genuine Twilio request, else InvalidWebhookSignature."""
    signature = require(signature, HEADER)
    try:
        params = ImmutableMultiDict(
            parse_qsl(raw_body.decode(), keep_blank_values=True, strict_parsing=bool(raw_body))
        )
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidWebhookSignature("Malformed form body") from error
    if not RequestValidator(auth_token).validate(url, params, signature):
        raise InvalidWebhookSignature()
    return params
