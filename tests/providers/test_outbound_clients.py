"""The real providers' clients against local fakes of their services: accepted messages,
refusals with the provider's reason, retryable failures."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from kindred.providers.base import OutboundMessage, ProviderRejected, ProviderUnavailable
from kindred.providers.mailersend.client import MailerSendEmail
from kindred.providers.smtp.client import SmtpEmail, SmtpServer
from kindred.providers.twilio.client import TwilioCredentials, TwilioSms
from tests.providers.fakes import MAILERSEND_BASE, TWILIO_BASE, FakeMailerSend, FakeTwilio

SID, TOKEN = "AC" + "1" * 32, "secret-token"
MESSAGE = OutboundMessage(id="0193-message", to="+14155550100", body="Hello", subject="Hi")


def _twilio(fake: FakeTwilio, **credentials: str | None) -> TwilioSms:
    values: dict[str, str | None] = {"messaging_service_sid": "MG" + "2" * 32} | credentials
    client = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    return TwilioSms(TwilioCredentials(SID, TOKEN, **values), TWILIO_BASE, client)  # type: ignore[arg-type]


async def test_twilio_accepts_and_keys_the_send_by_message_id() -> None:
    fake = FakeTwilio(SID, TOKEN)
    accepted = await _twilio(fake).send_sms(MESSAGE)
    assert accepted.provider_message_id.startswith("SM")
    assert fake.received[0]["To"] == MESSAGE.to
    assert fake.received[0]["MessagingServiceSid"].startswith("MG")
    assert fake.idempotency_tokens == [MESSAGE.id]


async def test_twilio_invalid_number_is_refused_with_twilios_reason() -> None:
    fake = FakeTwilio(SID, TOKEN)
    with pytest.raises(ProviderRejected, match="not a valid phone number"):
        await _twilio(fake).send_sms(OutboundMessage(id="m", to="+19990000000", body="x"))


async def test_twilio_wrong_token_is_refused() -> None:
    fake = FakeTwilio(SID, "another-token")
    with pytest.raises(ProviderRejected, match="Authenticate"):
        await _twilio(fake).send_sms(MESSAGE)


async def test_twilio_without_sender_is_refused_before_calling() -> None:
    fake = FakeTwilio(SID, TOKEN)
    with pytest.raises(ProviderRejected):
        await _twilio(fake, messaging_service_sid=None).send_sms(MESSAGE)
    assert fake.received == []


async def test_twilio_whatsapp_from_a_sender_number_is_sent_from_its_whatsapp_address() -> None:
    fake = FakeTwilio(SID, TOKEN)
    sender = _twilio(fake, messaging_service_sid=None, phone_number="+14155550199")
    await sender.send_sms(OutboundMessage(id="m", to="whatsapp:+14155550100", body="Hi"))
    assert fake.received[0]["From"] == "whatsapp:+14155550199"


async def test_twilio_outage_is_retryable() -> None:
    fake = FakeTwilio(SID, TOKEN, outages=1)
    with pytest.raises(ProviderUnavailable):
        await _twilio(fake).send_sms(MESSAGE)


def _mailersend(fake: FakeMailerSend, key: str) -> MailerSendEmail:
    client = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    return MailerSendEmail(key, "Kindred <hi@example.com>", MAILERSEND_BASE, client)


async def test_mailersend_accepts_with_its_message_id() -> None:
    fake = FakeMailerSend("mlsn.key")
    email = OutboundMessage(id="m1", to="ada@example.com", body="Hello", subject="Hi")
    accepted = await _mailersend(fake, "mlsn.key").send_email(email)
    assert len(accepted.provider_message_id) == 24
    assert fake.received[0]["to"] == [{"email": "ada@example.com"}]


async def test_mailersend_gets_the_messages_sender_and_extra_headers() -> None:
    fake = FakeMailerSend("mlsn.key")
    email = OutboundMessage(
        id="m2",
        to="ada@example.com",
        body="Hello",
        sender="Ada News <news@example.com>",
        headers={"List-Unsubscribe": "<https://crm.example/u>"},
    )
    await _mailersend(fake, "mlsn.key").send_email(email)
    assert fake.received[0]["from"] == {"email": "news@example.com", "name": "Ada News"}
    assert fake.received[0]["headers"] == [
        {"name": "List-Unsubscribe", "value": "<https://crm.example/u>"}
    ]


async def test_mailersend_bad_key_is_refused_with_its_reason() -> None:
    fake = FakeMailerSend("mlsn.key")
    with pytest.raises(ProviderRejected, match="Unauthenticated"):
        await _mailersend(fake, "wrong").send_email(MESSAGE)


REFUSED_DOMAINS = ("@nowhere.invalid", "@refused.example.com")  # the fake server's 550s


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if any(rcpt.endswith(REFUSED_DOMAINS) for rcpt in envelope.rcpt_tos):
            return "550 5.1.1 No such user"
        self.messages.append(envelope.content if isinstance(envelope.content, bytes) else b"")
        return "250 OK"


@contextmanager
def local_smtp() -> Iterator[tuple[Inbox, int]]:
    """A local SMTP server (aiosmtpd) recording what it receives, and its port."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller cannot report port 0's)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    with local_smtp() as server:
        yield server


def _smtp(port: int) -> SmtpEmail:
    return SmtpEmail(SmtpServer("127.0.0.1", port, "hi@example.com", starttls=False, timeout=5))


async def test_smtp_delivers_with_a_message_id_from_kindreds_id(
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    email = OutboundMessage(
        id="m42", to="ada@example.com", body="Hello", subject="Hi", html="<p>Hello</p>"
    )
    accepted = await _smtp(port).send_email(email)
    [raw] = inbox.messages
    parsed = message_from_bytes(raw)
    assert parsed["Subject"] == "Hi"
    assert "m42" in accepted.provider_message_id


async def test_smtp_permanent_refusal_is_refused_with_the_servers_reason(
    smtp_server: tuple[Inbox, int],
) -> None:
    _, port = smtp_server
    email = OutboundMessage(id="m43", to="ghost@nowhere.invalid", body="x")
    with pytest.raises(ProviderRejected, match="No such user"):
        await _smtp(port).send_email(email)


async def test_smtp_unreachable_server_is_retryable() -> None:
    with pytest.raises(ProviderUnavailable):
        await _smtp(1).send_email(MESSAGE)
