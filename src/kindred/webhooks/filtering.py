"""Which endpoints an event goes to: its type subscribed, and the endpoint's filter (the
segments filter language, typed by the workspace's custom field definitions) true for the
event's contact as the event carries it, with the contact's company as it is now."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.companies import service as companies
from kindred.companies.models import Company
from kindred.contacts import matching as contact_matching
from kindred.contacts.fields import saved_filters
from kindred.core.errors import NotFound
from kindred.core.events import CATALOGUE, DomainEvent, contact_of, transaction_scratch
from kindred.core.filters import Condition, FieldKind, Group, InvalidFilter, Subject, evaluate
from kindred.core.filters.fields import CONTACT_COLUMNS, snake
from kindred.webhooks.errors import UnknownEventType
from kindred.webhooks.models import WebhookEndpoint
from kindred.webhooks.repository import EndpointRepository

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


async def check_filter(
    session: AsyncSession, workspace_id: uuid.UUID, raw: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The filter as given, once it parses against the workspace's custom field definitions
    (InvalidFilter, a 400 with details, otherwise)."""
    if raw is not None:
        await contact_matching.parse(session, workspace_id, raw)
    return raw


@saved_filters
async def endpoint_filters(session: AsyncSession, workspace_id: uuid.UUID) -> list[tuple[str, Any]]:
    return [
        (f"webhook endpoint {endpoint.url}", endpoint.filter)
        for endpoint in await EndpointRepository(session, workspace_id).listed()
        if endpoint.filter is not None
    ]


def _column(name: str, value: Any) -> Any:
    if CONTACT_COLUMNS.get(name) is FieldKind.DATETIME and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def subject_of(contact: dict[str, Any], company: Company | None = None) -> Subject:
    """A filter subject from a contact as the API shows it (camelCase, ISO timestamps)."""
    columns = {snake(key): value for key, value in contact.items()}
    columns = {key: _column(key, value) for key, value in columns.items()}
    tags = [tag for tag in contact.get("tags") or [] if isinstance(tag, str)]
    return Subject.of(columns, tags, company)


def _reads_company(node: Group | Condition) -> bool:
    if isinstance(node, Condition):
        return node.field.source == "company"
    return any(_reads_company(child) for child in node.conditions)


async def _parsed(session: AsyncSession, workspace_id: uuid.UUID, raw: dict[str, Any]) -> Group:
    """Typed by the custom field definitions, read once per transaction (a dispatch batch)."""
    scratch = transaction_scratch(session)
    key = ("webhooks.filter", workspace_id, json.dumps(raw, sort_keys=True))
    if key not in scratch:
        scratch[key] = await contact_matching.parse(session, workspace_id, raw)
    group: Group = scratch[key]
    return group


async def _company(
    session: AsyncSession, workspace_id: uuid.UUID, contact: dict[str, Any]
) -> Company | None:
    """The contact's company as it is now (events carry the contact, not its company)."""
    if not contact.get("companyId"):
        return None
    try:
        return await companies.get_company(session, workspace_id, uuid.UUID(contact["companyId"]))
    except NotFound:
        return None


def subscribed(events: list[str], event_type: str) -> bool:
    return event_type != PING and (WILDCARD in events or event_type in events)


async def matches(
    session: AsyncSession, endpoint: WebhookEndpoint, event: DomainEvent, now: datetime
) -> bool:
    """The endpoint wants the event: its type subscribed, and its filter true for the event's
    contact (custom fields typed by their definitions, company fields from the company)."""
    if not subscribed(endpoint.events, event.type):
        return False
    if endpoint.filter is None:
        return True
    contact = contact_of(event.type, event.data)
    if contact is None:
        return False
    try:
        group = await _parsed(session, event.workspace_id, endpoint.filter)
    except InvalidFilter:  # valid when saved; a field definition changed since
        return False
    company = (
        await _company(session, event.workspace_id, contact) if _reads_company(group) else None
    )
    return evaluate(group, subject_of(contact, company), now)
