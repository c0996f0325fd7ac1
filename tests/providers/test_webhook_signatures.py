"""Inbound webhook verifiers, each against vectors computed here with hmac/hashlib directly
(not through the code under test) and against forgeries that must be refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from kindred.providers import standard_webhooks
from kindred.providers.mailersend.webhooks import verify_mailersend
from kindred.providers.signatures import InvalidWebhookSignature
from kindred.providers.stripe.webhooks import verify_stripe
from kindred.providers.twilio.webhooks import verify_twilio

NOW = 1_700_000_000
SECRET = "shh-its-a-secret"
BODY = json.dumps({"id": "evt_1", "type": "charge.succeeded", "amount": 4200}).encode()


def flip(data: bytes, index: int = 10) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


# --- Twilio: base64 HMAC-SHA1 of URL + name/value pairs sorted by name -----------------------

TWILIO_URL = "https://kindred.example.com/api/webhooks/twilio/sms"
TWILIO_PARAMS = {"MessageSid": "SM123", "From": "+14155550100", "To": "+14155550199", "Body": "Hi"}


def twilio_signature(url: str, params: dict[str, str], token: str = SECRET) -> str:
    message = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(
        hmac.new(token.encode(), message.encode(), hashlib.sha1).digest()
    ).decode()


def test_twilio_accepts_a_genuine_request() -> None:
    body = urlencode(TWILIO_PARAMS).encode()
    params = verify_twilio(TWILIO_URL, body, twilio_signature(TWILIO_URL, TWILIO_PARAMS), SECRET)
    assert params["MessageSid"] == "SM123"


TWILIO_FORGERIES: dict[str, Callable[[], tuple[str, bytes, str | None]]] = {
    "flipped byte": lambda: (
        TWILIO_URL,
        urlencode(TWILIO_PARAMS | {"Body": "Hj"}).encode(),
        twilio_signature(TWILIO_URL, TWILIO_PARAMS),
    ),
    "added parameter": lambda: (
        TWILIO_URL,
        urlencode(TWILIO_PARAMS | {"Extra": "1"}).encode(),
        twilio_signature(TWILIO_URL, TWILIO_PARAMS),
    ),
    "dropped parameter": lambda: (
        TWILIO_URL,
        urlencode({k: v for k, v in TWILIO_PARAMS.items() if k != "Body"}).encode(),
        twilio_signature(TWILIO_URL, TWILIO_PARAMS),
    ),
    "wrong secret": lambda: (
        TWILIO_URL,
        urlencode(TWILIO_PARAMS).encode(),
        twilio_signature(TWILIO_URL, TWILIO_PARAMS, "another-token"),
    ),
    "another URL": lambda: (
        TWILIO_URL + "?x=1",
        urlencode(TWILIO_PARAMS).encode(),
        twilio_signature(TWILIO_URL, TWILIO_PARAMS),
    ),
    "missing header": lambda: (TWILIO_URL, urlencode(TWILIO_PARAMS).encode(), None),
}


@pytest.mark.parametrize("forgery", TWILIO_FORGERIES)
def test_twilio_refuses_a_forgery(forgery: str) -> None:
    url, body, signature = TWILIO_FORGERIES[forgery]()
    with pytest.raises(InvalidWebhookSignature):
        verify_twilio(url, body, signature, SECRET)


# --- Stripe: t=<time>,v1=<hex HMAC-SHA256 of "t.body"> ----------------------------------------


def stripe_header(body: bytes, at: int = NOW, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


@pytest.mark.parametrize("skew", [0, -299, 299])
def test_stripe_accepts_a_genuine_event_within_tolerance(skew: int) -> None:
    event = verify_stripe(BODY, stripe_header(BODY, NOW + skew), SECRET, now=NOW)
    assert event["id"] == "evt_1"


def test_stripe_accepts_when_any_v1_signature_matches() -> None:
    header = "t={},v1={},{}".format(NOW, "0" * 64, stripe_header(BODY).split(",")[1])
    assert verify_stripe(BODY, header, SECRET, now=NOW)["type"] == "charge.succeeded"


STRIPE_FORGERIES: dict[str, Callable[[], tuple[bytes, str | None]]] = {
    "flipped byte": lambda: (flip(BODY), stripe_header(BODY)),
    "added field": lambda: (BODY[:-1] + b', "x": 1}', stripe_header(BODY)),
    "wrong secret": lambda: (BODY, stripe_header(BODY, secret="whsec_other")),
    "stale timestamp": lambda: (BODY, stripe_header(BODY, NOW - 301)),
    "future timestamp": lambda: (BODY, stripe_header(BODY, NOW + 301)),
    "timestamp swapped": lambda: (BODY, stripe_header(BODY).replace(f"t={NOW}", f"t={NOW + 1}")),
    "missing header": lambda: (BODY, None),
    "no v1": lambda: (BODY, f"t={NOW},v0=abc"),
    "no timestamp": lambda: (BODY, stripe_header(BODY).split(",")[1]),
}


@pytest.mark.parametrize("forgery", STRIPE_FORGERIES)
def test_stripe_refuses_a_forgery(forgery: str) -> None:
    body, header = STRIPE_FORGERIES[forgery]()
    with pytest.raises(InvalidWebhookSignature):
        verify_stripe(body, header, SECRET, now=NOW)


# --- MailerSend: Signature = hex HMAC-SHA256 of the body --------------------------------------


def mailersend_signature(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_mailersend_accepts_a_genuine_event() -> None:
    assert verify_mailersend(BODY, mailersend_signature(BODY), SECRET)["amount"] == 4200


MAILERSEND_FORGERIES: dict[str, Callable[[], tuple[bytes, str | None]]] = {
    "flipped byte": lambda: (flip(BODY), mailersend_signature(BODY)),
    "added field": lambda: (BODY[:-1] + b', "x": 1}', mailersend_signature(BODY)),
    "dropped field": lambda: (b'{"id": "evt_1"}', mailersend_signature(BODY)),
    "wrong secret": lambda: (BODY, mailersend_signature(BODY, "other")),
    "missing header": lambda: (BODY, None),
}


@pytest.mark.parametrize("forgery", MAILERSEND_FORGERIES)
def test_mailersend_refuses_a_forgery(forgery: str) -> None:
    body, signature = MAILERSEND_FORGERIES[forgery]()
    with pytest.raises(InvalidWebhookSignature):
        verify_mailersend(body, signature, SECRET)


# --- Standard Webhooks (Kindred's own) ------------------------------------------------------

WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"


def std_headers(
    body: bytes = BODY, at: int = NOW, secret: str = WHSEC, msg_id: str = MSG_ID
) -> dict[str, str]:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{at}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(at),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def test_standard_webhooks_sign_matches_the_published_vector() -> None:
    body = b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert standard_webhooks.sign(MSG_ID, 1614265330, body, WHSEC) == expected


@pytest.mark.parametrize("skew", [0, -299, 299])
def test_standard_webhooks_accept_a_genuine_delivery(skew: int) -> None:
    assert standard_webhooks.verify(BODY, std_headers(at=NOW + skew), WHSEC, now=NOW)["id"]


def test_standard_webhooks_accept_any_of_several_signatures() -> None:
    headers = std_headers()
    headers["webhook-signature"] = "v1,AAAA " + headers["webhook-signature"]
    assert standard_webhooks.verify(BODY, headers, WHSEC, now=NOW)["id"] == "evt_1"


def test_outbound_headers_verify_with_a_new_secret() -> None:
    secret = standard_webhooks.new_secret()
    headers = standard_webhooks.headers_for("msg_1", BODY, secret, timestamp=NOW)
    assert headers == std_headers(secret=secret, msg_id="msg_1")
    assert standard_webhooks.verify(BODY, headers, secret, now=NOW)["id"] == "evt_1"


def _without(name: str) -> dict[str, str]:
    return {k: v for k, v in std_headers().items() if k != name}


STANDARD_FORGERIES: dict[str, Callable[[], tuple[bytes, dict[str, str]]]] = {
    "flipped byte": lambda: (flip(BODY), std_headers()),
    "added field": lambda: (BODY[:-1] + b', "x": 1}', std_headers()),
    "wrong secret": lambda: (
        BODY,
        std_headers(secret="whsec_" + base64.b64encode(b"x" * 24).decode()),
    ),
    "stale timestamp": lambda: (BODY, std_headers(at=NOW - 301)),
    "future timestamp": lambda: (BODY, std_headers(at=NOW + 301)),
    "another message id": lambda: (BODY, std_headers() | {"webhook-id": "msg_other"}),
    "timestamp swapped": lambda: (BODY, std_headers() | {"webhook-timestamp": str(NOW + 1)}),
    "unknown version": lambda: (
        BODY,
        std_headers()
        | {"webhook-signature": std_headers()["webhook-signature"].replace("v1,", "v2,")},
    ),
    "missing id": lambda: (BODY, _without("webhook-id")),
    "missing timestamp": lambda: (BODY, _without("webhook-timestamp")),
    "missing signature": lambda: (BODY, _without("webhook-signature")),
}


@pytest.mark.parametrize("forgery", STANDARD_FORGERIES)
def test_standard_webhooks_refuse_a_forgery(forgery: str) -> None:
    body, headers = STANDARD_FORGERIES[forgery]()
    with pytest.raises(InvalidWebhookSignature):
        standard_webhooks.verify(body, headers, WHSEC, now=NOW)


def test_timestamps_default_to_the_clock() -> None:
    at = int(time.time())
    assert standard_webhooks.verify(BODY, std_headers(at=at), WHSEC)["id"] == "evt_1"
    with pytest.raises(InvalidWebhookSignature):
        verify_stripe(BODY, stripe_header(BODY, at - 1000), SECRET)


def test_forgery_counts_match_the_report() -> None:
    counts = [
        len(f)
        for f in (TWILIO_FORGERIES, STRIPE_FORGERIES, MAILERSEND_FORGERIES, STANDARD_FORGERIES)
    ]
    assert counts == [6, 9, 5, 11]
