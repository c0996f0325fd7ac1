"""CSV export of a filtered contact list, read batch by batch in its own sessions (the
response streams after the request's session has closed); cells are made safe by
`kindred.core.exports`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from kindred.contacts.service import ContactFilter, list_contacts
from kindred.core.db.session import Database
from kindred.core.schemas import PageParams

BATCH = 1_000
COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "role",
    "source",
    "language",
    "crm_id",
    "crm_source",
    "created_at",
)
HEADER = [*COLUMNS, "tags"]


async def contact_rows(
    database: Database, workspace_id: uuid.UUID, spec: ContactFilter
) -> AsyncIterator[list[object]]:
    page = 1
    while True:
        async with database.session_scope() as session:
            contacts, total = await list_contacts(
                session, workspace_id, spec, PageParams(page=page, limit=BATCH)
            )
        for contact in contacts:
            cells: list[object] = [getattr(contact, name) for name in COLUMNS]
            yield [*cells, ";".join(tag.name for tag in contact.tags)]
        if page * BATCH >= total:
            return
        page += 1
