"""Which provider sends a message: the sandbox twin in sandbox mode (the default), else the
real vendor from the operator's settings (email) or the workspace's account (Twilio)."""

from __future__ import annotations

import functools
import ssl

import certifi
import httpx

from kindred.providers.base import EmailProvider, ProviderRejected, SmsProvider
from kindred.providers.mailersend.client import MailerSendEmail
from kindred.providers.sandbox.provider import Capture, SandboxProvider
from kindred.providers.smtp.client import SmtpEmail, SmtpServer
from kindred.providers.twilio.client import TwilioCredentials, TwilioSms
from kindred.settings import Settings


@functools.cache
def _tls() -> ssl.SSLContext:
    """Built once: loading the CA bundle for every client cost ~40 ms per message sent."""
    return ssl.create_default_context(cafile=certifi.where())


def http_client(settings: Settings) -> httpx.AsyncClient:
    """A client for provider APIs (operator-configured base URLs, not user-given ones)."""
    return httpx.AsyncClient(
        timeout=settings.provider_timeout_seconds, follow_redirects=False, verify=_tls()
    )


def sms_provider(
    settings: Settings,
    channel: str,
    capture: Capture,
    credentials: TwilioCredentials | None,
    client: httpx.AsyncClient,
) -> SmsProvider:
    if settings.delivery_mode == "sandbox":
        return SandboxProvider(capture, channel)
    if credentials is None:
        raise ProviderRejected("Twilio is not configured for this workspace")
    return TwilioSms(credentials, settings.twilio_base_url, client)


def email_provider(
    settings: Settings, capture: Capture, client: httpx.AsyncClient
) -> EmailProvider:
    if settings.delivery_mode == "sandbox":
        return SandboxProvider(capture, "EMAIL")
    if settings.email_provider == "mailersend":
        if not settings.mailersend_api_key:
            raise ProviderRejected("MailerSend has no API key (KINDRED_MAILERSEND_API_KEY)")
        return MailerSendEmail(
            settings.mailersend_api_key, settings.email_from, settings.mailersend_base_url, client
        )
    return SmtpEmail(
        SmtpServer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.email_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            timeout=settings.provider_timeout_seconds,
        )
    )
