"""Leads: list and search, create with deduplication, update, delete, import, convert.

Dedup keys are the Google place id and the phone in E.164 (normalised the way contacts are).
Conversion creates the company and the contact through their services, marks the lead and
records a stage_change interaction, all in the caller's transaction: any failure leaves none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.admin.stats import user_stat
from kindred.analytics.registry import Window, overview_metrics
from kindred.companies import service as companies
from kindred.contacts import events as contact_events
from kindred.contacts import interactions
from kindred.contacts import service as contacts
from kindred.contacts.models import Contact
from kindred.contacts.values import normalise_email, normalise_phone
from kindred.core.db import uuid7
from kindred.core.errors import KindredError
from kindred.core.events import emit
from kindred.core.schemas import PageParams
from kindred.leads.errors import DuplicateLead, LeadAlreadyConverted
from kindred.leads.models import Lead
from kindred.leads.repository import LeadQuery, LeadRepository, LeadStats
from kindred.leads.schemas import LeadCreate, LeadRead
from kindred.workspaces.members import require_member

LEAD_FIELDS = tuple(name for name in LeadCreate.model_fields)


async def list_leads(
    session: AsyncSession, workspace_id: uuid.UUID, query: LeadQuery, params: PageParams
) -> tuple[Sequence[Lead], int]:
    return await LeadRepository(session, workspace_id).list_page(query, params)


async def get_lead(session: AsyncSession, workspace_id: uuid.UUID, lead_id: uuid.UUID) -> Lead:
    return await LeadRepository(session, workspace_id).get_or_404(lead_id)


def _normalised(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if "phone" in cleaned:
        cleaned["phone"] = normalise_phone(cleaned["phone"])
    if "email" in cleaned:
        cleaned["email"] = normalise_email(cleaned["email"])
    if "google_place_id" in cleaned:
        cleaned["google_place_id"] = cleaned["google_place_id"] or None
    return cleaned


async def _check_unique(repository: LeadRepository, lead: Lead) -> None:
    """409 when another lead has its place id or phone (the caller holds `lock_keys`, taken
    before the lead's changes are in the session, which would otherwise flush them first)."""
    duplicate = await repository.duplicate_of(lead.google_place_id, lead.phone, exclude=lead.id)
    if duplicate is not None:
        raise DuplicateLead(leadId=str(duplicate.id))


async def create_lead(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID, fields: dict[str, Any]
) -> Lead:
    values = _normalised(fields)
    if values.get("owner_id") is not None:
        await require_member(session, workspace_id, values["owner_id"])
    values["owner_id"] = values.get("owner_id") or user_id
    values = {name: value for name, value in values.items() if value is not None}
    lead = Lead(id=uuid7(), **values)
    repository = LeadRepository(session, workspace_id)
    await repository.lock_keys()
    await _check_unique(repository, lead)
    await repository.add(lead)
    await _emit(session, "lead.created", lead)
    return lead


async def _emit(
    session: AsyncSession, event_type: str, lead: Lead, contact: Contact | None = None
) -> None:
    """The lead as the API shows it; a converted lead's event carries its new contact."""
    data = {"lead": LeadRead.model_validate(lead).model_dump(mode="json")}
    if contact is not None:
        data["contact"] = contact_events.contact_data(contact)
    await emit(
        session,
        workspace_id=lead.workspace_id,
        type=event_type,
        data=data,
        contact_id=contact.id if contact else None,
    )


async def update_lead(
    session: AsyncSession, workspace_id: uuid.UUID, lead_id: uuid.UUID, changes: dict[str, Any]
) -> Lead:
    repository = LeadRepository(session, workspace_id)
    lead = await repository.get_or_404(lead_id)
    if lead.status == "CONVERTED" and changes.get("status") is not None:
        # Reopened, it could be converted again into a second contact and company.
        contact_id = lead.converted_contact_id
        raise LeadAlreadyConverted(contactId=str(contact_id) if contact_id else None)
    await repository.lock_keys()
    values = _normalised(changes)
    if values.get("owner_id") is not None:
        await require_member(session, workspace_id, values["owner_id"])
    for name, value in values.items():
        if value is None and name in ("business_name", "status", "source"):
            continue
        setattr(lead, name, value)
    await _check_unique(repository, lead)
    await session.flush()
    return lead


async def delete_lead(session: AsyncSession, workspace_id: uuid.UUID, lead_id: uuid.UUID) -> None:
    repository = LeadRepository(session, workspace_id)
    await repository.delete(await repository.get_or_404(lead_id))


async def convert_lead(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    lead_id: uuid.UUID,
    contact_data: dict[str, Any],
    company_name: str | None = None,
) -> tuple[uuid.UUID, uuid.UUID]:
    """Creates the company and the contact; returns (contact id, company id)."""
    repository = LeadRepository(session, workspace_id)
    lead = await repository.get_or_404(lead_id)
    previous = lead.status
    if not await repository.claim_conversion(lead.id):
        contact_id = (await repository.fresh(lead.id)).converted_contact_id
        raise LeadAlreadyConverted(contactId=str(contact_id) if contact_id else None)
    name = company_name or lead.business_name
    company = await companies.create_company(
        session, workspace_id, user_id, {"name": name, "website": lead.website}
    )
    fields = {
        "email": lead.email,
        "phone": lead.phone,
        **{name: value for name, value in contact_data.items() if value is not None},
        "company": name,
        "company_id": company.id,
    }
    contact = await contacts.create_contact(
        session, workspace_id, lead.owner_id or user_id, fields, source="lead"
    )
    lead = await repository.fresh(lead.id)
    lead.converted_contact_id = contact.id
    await session.flush()
    await _emit(session, "lead.converted", lead, contact)
    await interactions.record_interaction(
        session,
        workspace_id,
        contact.id,
        type="stage_change",
        subject=f"Converted from lead {lead.business_name}",
        metadata={"leadId": str(lead.id), "from": previous, "to": "CONVERTED"},
        user_id=user_id,
    )
    return contact.id, company.id


def _import_row(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """One import row validated and normalised, every lead column present (executemany)."""
    try:
        parsed = LeadCreate.model_validate(raw).model_dump(by_alias=False)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "row"
        raise ValueError(f"{field}: {first['msg']}") from error
    try:
        values = _normalised(parsed)
    except KindredError as error:
        raise ValueError(error.message) from error
    values["source"] = parsed.get("source") or source
    values["status"] = parsed.get("status") or "NEW"
    return values


async def import_leads(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    rows: Sequence[dict[str, Any]],
    *,
    source: str = "import",
) -> dict[str, Any]:
    """Valid rows are inserted in one statement; duplicates (stored or earlier in the file) are
    skipped; a bad row becomes `{"row", "error"}` with rows counted from 1."""
    errors: list[dict[str, Any]] = []
    parsed: list[dict[str, Any]] = []
    for number, raw in enumerate(rows, start=1):
        try:
            parsed.append({**_import_row(raw, source), "owner_id": user_id})
        except ValueError as error:
            errors.append({"row": number, "error": str(error)})
    repository = LeadRepository(session, workspace_id)
    await repository.lock_keys()
    places, phones = await repository.existing_keys(
        [row["google_place_id"] for row in parsed if row["google_place_id"]],
        [row["phone"] for row in parsed if row["phone"]],
    )
    fresh = []
    for row in parsed:
        keys = (row["google_place_id"], row["phone"])
        if (keys[0] and keys[0] in places) or (keys[1] and keys[1] in phones):
            continue
        places.add(keys[0] or "")
        phones.add(keys[1] or "")
        fresh.append(row)
    await repository.insert_many(fresh)
    return {
        "imported": len(fresh),
        "created": len(fresh),
        "skipped": len(parsed) - len(fresh),
        "failed": len(errors),
        "errors": errors,
    }


@user_stat("leads")
async def count_leads_by_owner(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    return await LeadStats(session).count_by_owner(user_ids)


@overview_metrics
async def lead_metrics(
    session: AsyncSession, workspace_id: uuid.UUID, window: Window
) -> dict[str, float]:
    total, new = await LeadRepository(session, workspace_id).count_since(window.start, window.end)
    return {"totalLeads": total, "newLeadsThisMonth": new}
