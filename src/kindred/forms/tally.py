"""Reading a Tally `FORM_RESPONSE` delivery: the form, the answers by question label, and the
contact fields the answers give.

`data.fields` holds one entry per question: `label`, `type` (INPUT_EMAIL, INPUT_PHONE_NUMBER,
MULTIPLE_CHOICE, …) and `value`; a choice's value is the ids of the `options` picked. The email
is the first INPUT_EMAIL answer (else a text answer labelled as an email); names, phone and
company come from their question types or labels. An answer that does not fit its contact
field (a phone that is no number, a name too long) stays an answer only. Characters no database
can store (NUL, unpaired surrogates) are dropped from every text: the submission is someone's
real answer, so it is kept rather than refused (Tally would retry a refusal forever).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from kindred.contacts.errors import InvalidContactField
from kindred.contacts.schemas import ContactFields
from kindred.contacts.values import normalise_phone
from kindred.core.dates import in_utc
from kindred.forms.errors import InvalidSubmission

FORM_RESPONSE = "FORM_RESPONSE"
LABELS = {
    "email": {"email", "emailaddress", "youremail", "mail"},
    "first_name": {"firstname", "givenname", "yourfirstname"},
    "last_name": {"lastname", "surname", "familyname", "yourlastname"},
    "name": {"name", "fullname", "yourname"},
    "phone": {"phone", "phonenumber", "mobile", "telephone", "yourphone"},
    "company": {"company", "companyname", "organization", "organisation", "business"},
}
TYPES = {"INPUT_EMAIL": "email", "INPUT_PHONE_NUMBER": "phone"}
NOT_LETTERS = re.compile(r"[^a-z]")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Submission:
    event_id: str
    form_id: str
    form_name: str | None
    response_id: str | None
    submitted_at: datetime | None
    email: str
    contact: dict[str, Any]
    answers: dict[str, Any]


def parse(payload: Any) -> Submission:
    """The submission a verified delivery carries; 400 when it is none or gives no email."""
    payload = _storable(payload)
    if not isinstance(payload, dict) or payload.get("eventType", FORM_RESPONSE) != FORM_RESPONSE:
        raise InvalidSubmission("Only FORM_RESPONSE deliveries are received")
    data, event_id = payload.get("data"), payload.get("eventId")
    if not isinstance(data, dict) or not isinstance(event_id, str) or not event_id:
        raise InvalidSubmission("A submission has an eventId and data")
    fields = [item for item in data.get("fields") or [] if isinstance(item, dict)]
    answers = {_label(item): _readable(item) for item in fields if _readable(item) is not None}
    found = _contact_answers(fields)
    email = found.pop("email", None)
    if not email:
        raise InvalidSubmission("The submission has no email address")
    return Submission(
        event_id=event_id,
        form_id=str(data.get("formId") or ""),
        form_name=_text(data.get("formName")),
        response_id=_text(data.get("responseId")),
        submitted_at=_moment(data.get("createdAt")),
        email=email,
        contact=_fitting(_split_name(found)),
        answers=answers,
    )


def _label(item: dict[str, Any]) -> str:
    return str(item.get("label") or item.get("key") or "Untitled")[:200]


def _readable(item: dict[str, Any]) -> Any:
    """The answer as a person reads it: picked options by their text, lists joined."""
    value = item.get("value")
    if value in (None, "", []):
        return None
    if isinstance(value, list):
        texts = {
            option.get("id"): option.get("text")
            for option in item.get("options") or []
            if isinstance(option, dict)
        }
        return ", ".join(str(texts.get(part, part)) for part in value)
    return value if isinstance(value, str | int | float | bool) else str(value)


def _contact_answers(fields: list[dict[str, Any]]) -> dict[str, str]:
    """Contact field -> the first text answer for it, by question type, else by label."""
    found: dict[str, str] = {}
    for item in fields:
        value = _readable(item)
        if not isinstance(value, str) or not value.strip():
            continue
        field = TYPES.get(str(item.get("type"))) or _by_label(_label(item))
        if field is not None:
            found.setdefault(field, value.strip())
    return found


def _by_label(label: str) -> str | None:
    compact = NOT_LETTERS.sub("", label.lower())
    return next((field for field, names in LABELS.items() if compact in names), None)


def _split_name(found: dict[str, str]) -> dict[str, str]:
    """A full-name answer fills first and last names the form did not ask for apiece."""
    full = found.pop("name", None)
    if full:
        first, _, last = full.partition(" ")
        found.setdefault("first_name", first)
        if last.strip():
            found.setdefault("last_name", last.strip())
    return found


def _fitting(found: dict[str, str]) -> dict[str, str]:
    """The answers each contact field accepts as the contacts API would."""
    kept = {}
    for field, value in found.items():
        try:
            ContactFields.model_validate({field: value})
            if field == "phone":
                normalise_phone(value)
        except (ValidationError, InvalidContactField):
            continue
        kept[field] = value
    return kept


def _storable(value: Any) -> Any:
    """The JSON value with NUL and unpaired surrogates removed from its strings and keys, and
    without NaN or infinite numbers (JSON has none; PostgreSQL's jsonb refuses them)."""
    if isinstance(value, str):
        return UNSTORABLE.sub("", value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def _text(value: Any) -> str | None:
    return str(value)[:200] if value not in (None, "") else None


def _moment(value: Any) -> datetime | None:
    """When the form was submitted, in UTC; None when unreadable or out of range."""
    try:
        return in_utc(datetime.fromisoformat(str(value).replace("Z", "+00:00"))) if value else None
    except ValueError:
        return None
