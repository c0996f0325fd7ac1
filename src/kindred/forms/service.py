"""Receiving a form submission: the contact by email (created, or updated with what the form
asked), the submission on their timeline, and `form.submitted` for workflows, all in the
webhook's transaction; a replayed delivery (same event id) changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import interactions
from kindred.contacts import service as contacts
from kindred.contacts.events import contact_data
from kindred.contacts.models import Contact
from kindred.core.events import emit
from kindred.forms.tally import Submission
from kindred.providers import inbound
from kindred.workspaces import service as workspaces

TALLY = "tally"


async def receive_tally(
    session: AsyncSession, workspace_id: uuid.UUID, submission: Submission, raw: bytes
) -> dict[str, Any]:
    """`{"status": "created"|"updated", "contactId"}`, as document 002 answers; 404 when the
    configured workspace does not exist (any more)."""
    await workspaces.get_workspace(session, workspace_id)
    existing = await contacts.find_by_email(session, workspace_id, submission.email)
    first = await inbound.record_once(
        session, TALLY, submission.event_id, workspace_id=workspace_id, payload=raw
    )
    if not first:
        return {"status": "updated", "contactId": str(existing.id) if existing else None}
    if existing is None:
        fields = {"email": submission.email, **submission.contact}
        contact = await contacts.create_contact(session, workspace_id, None, fields, source=TALLY)
    elif submission.contact:
        contact = await contacts.update_contact(
            session, workspace_id, existing.id, submission.contact
        )
    else:
        contact = await contacts.get_contact(session, workspace_id, existing.id)
    await _record(session, workspace_id, contact, submission)
    return {"status": "updated" if existing else "created", "contactId": str(contact.id)}


async def _record(
    session: AsyncSession, workspace_id: uuid.UUID, contact: Contact, submission: Submission
) -> None:
    form = {"id": submission.form_id, "name": submission.form_name}
    source = {"provider": TALLY, "formId": submission.form_id, "responseId": submission.response_id}
    await interactions.record_interaction(
        session,
        workspace_id,
        contact.id,
        type="form_submission",
        subject=submission.form_name or "Form submission",
        body="\n".join(f"{label}: {value}" for label, value in submission.answers.items()),
        occurred_at=submission.submitted_at,
        metadata=source,
    )
    await emit(
        session,
        workspace_id=workspace_id,
        type="form.submitted",
        data={"contact": contact_data(contact), "form": form, "answers": submission.answers},
        contact_id=contact.id,
    )
