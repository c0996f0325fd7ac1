"""Local fakes of the providers' HTTP APIs: they check what the real ones check (credentials,
required fields) and answer with the real error shapes."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import httpx

TWILIO_BASE = "https://twilio.fake/2010-04-01"
MAILERSEND_BASE = "https://mailersend.fake/v1"


@dataclass
class FakeTwilio:
    """Twilio's `POST /Accounts/{sid}/Messages.json`."""

    account_sid: str
    auth_token: str
    received: list[dict[str, str]] = field(default_factory=list)
    idempotency_tokens: list[str] = field(default_factory=list)
    outages: int = 0  # answer 503 this many times first

    def __call__(self, request: httpx.Request) -> httpx.Response:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return httpx.Response(
                401, json={"code": 20003, "message": "Authenticate", "status": 401}
            )
        if self.outages:
            self.outages -= 1
            return httpx.Response(503, json={"code": 20500, "message": "Service unavailable"})
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        error = self._invalid(form)
        if error:
            return httpx.Response(400, json={"code": error[0], "message": error[1], "status": 400})
        self.received.append(form)
        self.idempotency_tokens.append(request.headers.get("i-twilio-idempotency-token", ""))
        sid = "SM" + uuid.uuid4().hex
        return httpx.Response(201, json={"sid": sid, "status": "queued", "to": form["To"]})

    @staticmethod
    def _invalid(form: dict[str, str]) -> tuple[int, str] | None:
        if "To" not in form:
            return 21604, "A 'To' phone number is required."
        if "From" not in form and "MessagingServiceSid" not in form:
            return 21603, "A 'From' or 'MessagingServiceSid' parameter is required"
        if "Body" not in form:
            return 21602, "Message body is required."
        if "From" in form and _on_whatsapp(form["From"]) != _on_whatsapp(form["To"]):
            return 21910, "Invalid From and To pair. From and To should be of the same channel"
        if form["To"].removeprefix("whatsapp:").startswith("+1999"):
            return 21211, f"The 'To' number {form['To']} is not a valid phone number."
        return None

    def url(self) -> str:
        return f"{TWILIO_BASE}/Accounts/{self.account_sid}/Messages.json"


def _on_whatsapp(address: str) -> bool:
    return address.startswith("whatsapp:")


@dataclass
class FakeMailerSend:
    """MailerSend's `POST /v1/email`."""

    api_key: str
    received: list[dict[str, object]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return httpx.Response(401, json={"message": "Unauthenticated."})
        payload = json.loads(request.content)
        missing = [name for name in ("from", "to", "subject") if not payload.get(name)]
        if missing or not (payload.get("text") or payload.get("html")):
            errors = {name: [f"The {name} field is required."] for name in missing or ["text"]}
            first = next(iter(errors.values()))[0]
            return httpx.Response(422, json={"message": first, "errors": errors})
        self.received.append(payload)
        return httpx.Response(202, headers={"x-message-id": uuid.uuid4().hex[:24]})
