"""The CRM sync webhook (document 001): its payload, field-name mapping and reply message,
shared by the native route and the agentvoice dialect."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import service
from kindred.contacts.models import Contact
from kindred.core.auth import Principal
from kindred.core.errors import BadRequest

# Our field <- the names CRMs use for it, first match wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name", "firstName", "name"),
    "last_name": ("last_name", "lastName"),
    "email": ("email", "emailAddress"),
    "phone": ("phone", "phoneNumber"),
    "company": ("company", "companyName", "organization"),
}


class InvalidCrmPayload(BadRequest):
    code = "INVALID_PAYLOAD"
    message = "Invalid payload: source, data, and data.crm_id are required"


def parse_crm_payload(payload: Any) -> tuple[str, dict[str, Any]]:
    """(source, contact fields) from a webhook body, or InvalidCrmPayload."""
    if not isinstance(payload, dict):
        raise InvalidCrmPayload()
    source, data = payload.get("source"), payload.get("data")
    if not isinstance(source, str) or not source.strip() or not isinstance(data, dict):
        raise InvalidCrmPayload()
    crm_id = data.get("crm_id", data.get("crmId"))
    if crm_id is None or not str(crm_id).strip():
        raise InvalidCrmPayload()
    fields: dict[str, Any] = {"crm_id": str(crm_id).strip()}
    for field, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            value = data.get(alias)
            if isinstance(value, str | int | float) and str(value).strip():
                fields[field] = str(value).strip()
                break
    return source.strip(), fields


async def sync_from_request(
    request: Request, session: AsyncSession, principal: Principal
) -> tuple[Contact, str]:
    """Creates or updates the contact a webhook body describes; the contact and the message."""
    try:
        payload = await request.json()
    except ValueError:
        payload = None
    source, fields = parse_crm_payload(payload)
    contact, created = await service.sync_from_crm(
        session, principal.workspace, principal.user.id, source, fields
    )
    return contact, "Contact created successfully" if created else "Contact updated successfully"
