"""Normalising contact values: emails lowercased, phones to E.164, custom fields by type.

Phones: a number `phonenumbers` finds possible is formatted E.164; a number already written
as `+` and 8-15 digits (separators allowed) is kept as those digits even when no numbering
plan knows it, because the API documents use such placeholders (`+1234567890`). Anything
else is a 400.

Imports normalise every row, so both functions have a fast path for the common shapes that
gives exactly what the full check would: an email whose local part is a plain ASCII dot-atom
validates only its domain, once per distinct domain (email-validator's IDNA work dominates);
a `+1` number with a valid NANP area code is already E.164 once its separators are removed.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from kindred.contacts.errors import InvalidContactField

DEFAULT_REGION = "US"
E164_SHAPE = re.compile(r"^\+[1-9]\d{7,14}$")
PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
TRUE_WORDS = {"true", "yes", "1", "on"}
FALSE_WORDS = {"false", "no", "0", "off"}
ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
PLAIN_LOCAL_PART = re.compile(rf"^{ATOM}(\.{ATOM})*$")
MAX_LOCAL_PART, MAX_ADDRESS = 64, 254
NANP_E164 = re.compile(r"^\+1[2-9]\d{2}[2-9]\d{6}$")
DOMAIN_CACHE = 4096


@lru_cache(maxsize=DOMAIN_CACHE)
def _normalised_domain(domain: str) -> str | None:
    """The domain as email-validator normalises it, or None when it is not acceptable."""
    try:
        return validate_email(f"a@{domain}", check_deliverability=False).domain
    except EmailNotValidError:
        return None


def _plain_email(address: str) -> str | None:
    local, _, domain = address.rpartition("@")
    if len(local) > MAX_LOCAL_PART or not PLAIN_LOCAL_PART.match(local):
        return None
    normalised = _normalised_domain(domain)
    return f"{local}@{normalised}" if normalised else None


def normalise_email(value: str | None, field: str = "email") -> str | None:
    if value is None or not value.strip():
        return None
    address = value.strip()
    fast = _plain_email(address) if len(address) <= MAX_ADDRESS else None
    if fast is not None:
        return fast.lower()
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidContactField(field, "Invalid email format") from error
    return checked.normalized.lower()


def normalise_phone(value: str | None, field: str = "phone") -> str | None:
    if value is None or not value.strip():
        return None
    raw = value.strip()
    compact = PHONE_SEPARATORS.sub("", raw)
    if NANP_E164.match(compact):
        return compact
    try:
        parsed = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if E164_SHAPE.match(compact):
        return compact
    raise InvalidContactField(field, "Invalid phone number")


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ValueError("not a boolean")


def _url(value: Any) -> str:
    parts = urlsplit(str(value).strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("not a URL")
    return str(value).strip()


def _choices(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def coerce_field(field_type: str, options: list[Any] | None, name: str, value: Any) -> Any:
    """A custom field value checked and converted for its definition's type."""
    if value is None or value == "":
        return None
    try:
        if field_type == "number":
            return _number(value)
        if field_type == "boolean":
            return _boolean(value)
        if field_type == "date":
            return date.fromisoformat(str(value).strip()[:10]).isoformat()
        if field_type == "url":
            return _url(value)
        if field_type == "email":
            return normalise_email(str(value), f"customFields.{name}")
    except ValueError as error:
        raise InvalidContactField(f"customFields.{name}", f"Invalid {field_type} value") from error
    allowed = [str(option) for option in options or []]
    if field_type == "select":
        if str(value) not in allowed:
            raise InvalidContactField(f"customFields.{name}", "Value is not one of the options")
        return str(value)
    if field_type == "multiselect":
        chosen = _choices(value)
        if any(choice not in allowed for choice in chosen):
            raise InvalidContactField(f"customFields.{name}", "Value is not one of the options")
        return chosen
    return value if isinstance(value, str) else str(value)
