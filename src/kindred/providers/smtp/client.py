"""Email over SMTP (aiosmtplib): STARTTLS and login when configured; the Message-ID header is
derived from Kindred's message id, so a resend after an unrecorded success is recognisable.

A 5xx reply (mailbox unknown, relaying denied, authentication refused) refuses the message
for good; a 4xx reply or a connection failure is retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

import aiosmtplib

from kindred.providers.base import Accepted, OutboundMessage, ProviderRejected, ProviderUnavailable

# RFC 5322's line limit: the default (78) turns a header holding one long unbreakable token,
# such as List-Unsubscribe's <URL>, into an RFC 2047 encoded word that mail clients ignore.
# The message is flattened here, since aiosmtplib would flatten it again with the default.
POLICY = policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 15.0


def _email(message: OutboundMessage, sender: str) -> EmailMessage:
    email = EmailMessage(policy=POLICY)
    email["From"] = message.sender or sender
    email["To"] = message.to
    email["Subject"] = message.subject or ""
    email["Message-ID"] = make_msgid(idstring=message.id, domain="kindred")
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.body)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


class SmtpEmail:
    name = "smtp"

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def send_email(self, message: OutboundMessage) -> Accepted:
        email = _email(message, self.server.sender)
        try:
            await aiosmtplib.send(
                email.as_bytes(policy=POLICY),
                sender=parseaddr(str(email["From"]))[1],
                recipients=[message.to],
                hostname=self.server.host,
                port=self.server.port,
                username=self.server.username,
                password=self.server.password,
                start_tls=self.server.starttls,
                timeout=self.server.timeout,
            )
        except aiosmtplib.SMTPResponseException as error:
            reason = f"SMTP {error.code}: {error.message}"
            if error.code >= 500:
                raise ProviderRejected(reason) from error
            raise ProviderUnavailable(reason) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise ProviderUnavailable(f"SMTP: {error}") from error
        return Accepted(provider_message_id=str(email["Message-ID"]))
