"""The import fast paths of email and phone normalisation agree with the full checks."""

from __future__ import annotations

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email

from kindred.contacts.errors import InvalidContactField
from kindred.contacts.values import normalise_email, normalise_phone


def _full_email(value: str) -> str | None:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _fast_email(value: str) -> str | None:
    try:
        return normalise_email(value)
    except InvalidContactField:
        return None


@pytest.mark.parametrize(
    "address",
    [
        "Ann.Lee@Example.COM",
        "o'brien+tag@mail.example.co.uk",
        "user@bücher.de",
        "user@xn--bcher-kva.de",
        "someone@foo.test",
        "someone@localhost",
        "a..b@example.com",
        ".a@example.com",
        "a@example..com",
        "a@-example.com",
        "a@example.c",
        "x" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
        'quoted"local@example.com',
    ],
)
def test_email_fast_path_agrees_with_the_full_check(address: str) -> None:
    assert _fast_email(address) == _full_email(address)


@pytest.mark.parametrize(
    "phone",
    [
        "+1 (415) 555-2671",
        "+1.212.555.0100",
        "(415) 555-2671",
        "+1 415 055 2671",
        "+44 20 7946 0958",
    ],
)
def test_phone_fast_path_agrees_with_phonenumbers(phone: str) -> None:
    parsed = phonenumbers.parse(phone, "US")
    assert normalise_phone(phone) == phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.E164
    )
