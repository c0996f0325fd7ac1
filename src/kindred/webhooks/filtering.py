"""Which endpoints an event goes to: its type subscribed, and the endpoint's filter (the
segments filter language) true for the event's contact as the event carries it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kindred.core.events import CATALOGUE, DomainEvent, contact_of
from kindred.core.filters import FieldKind, InvalidFilter, Subject, evaluate, parse_filter
from kindred.core.filters.fields import CONTACT_COLUMNS, snake
from kindred.webhooks.errors import UnknownEventType

WILDCARD = "*"
# Sent only on request (POST …/test); never fanned out to subscriptions.
PING = "ping"


def check_events(events: list[str]) -> list[str]:
    unknown = [name for name in events if name != WILDCARD and name not in CATALOGUE]
    if unknown or PING in events:
        raise UnknownEventType(
            details=[
                {"field": "events", "message": f"Unknown: {name}"} for name in unknown or [PING]
            ]
        )
    return list(dict.fromkeys(events))


def check_filter(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """The filter as given, once it parses (InvalidFilter, a 400 with details, otherwise)."""
    if raw is not None:
        parse_filter(raw)
    return raw


def _column(name: str, value: Any) -> Any:
    if CONTACT_COLUMNS.get(name) is FieldKind.DATETIME and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def subject_of(contact: dict[str, Any]) -> Subject:
    """A filter subject from a contact as the API shows it (camelCase, ISO timestamps)."""
    columns = {snake(key): value for key, value in contact.items()}
    columns = {key: _column(key, value) for key, value in columns.items()}
    tags = [tag for tag in contact.get("tags") or [] if isinstance(tag, str)]
    return Subject.of(columns, tags)


def matches(
    events: list[str], raw_filter: dict[str, Any] | None, event: DomainEvent, now: datetime
) -> bool:
    if event.type == PING or not (WILDCARD in events or event.type in events):
        return False
    if raw_filter is None:
        return True
    contact = contact_of(event.type, event.data)
    if contact is None:
        return False
    try:
        return evaluate(parse_filter(raw_filter), subject_of(contact), now)
    except InvalidFilter:  # the filter was valid when saved; the registry changed since
        return False
