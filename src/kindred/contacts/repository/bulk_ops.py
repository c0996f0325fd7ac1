"""Set-based writes on the contacts a filter selects (automation rules run in bulk).

Each operation is one statement over the compiled filter: no contact is loaded into Python.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    ColumnElement,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB

from kindred.contacts.models import Contact, ContactTag
from kindred.core.db import utcnow
from kindred.core.db.dialect import among, is_postgres


class ContactBulkOps:
    """Writes on the workspace's contacts that `where` selects (among `ids`, when given)."""

    def __init__(
        self, session: Any, workspace_id: uuid.UUID, ids: Collection[uuid.UUID] | None = None
    ) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.ids = ids

    def _matching(self, where: ColumnElement[bool]) -> ColumnElement[bool]:
        scoped = (Contact.workspace_id == self.workspace_id) & where
        return scoped if self.ids is None else scoped & among(self.session, Contact.id, self.ids)

    async def add_tag(self, where: ColumnElement[bool], tag_id: uuid.UUID) -> None:
        linked = exists().where(
            ContactTag.workspace_id == self.workspace_id,
            ContactTag.contact_id == Contact.id,
            ContactTag.tag_id == tag_id,
        )
        rows = select(literal(self.workspace_id), Contact.id, literal(tag_id)).where(
            self._matching(where), ~linked
        )
        await self.session.execute(
            insert(ContactTag).from_select(["workspace_id", "contact_id", "tag_id"], rows)
        )

    async def remove_tag(self, where: ColumnElement[bool], tag_id: uuid.UUID) -> None:
        ids = select(Contact.id).where(self._matching(where))
        await self.session.execute(
            delete(ContactTag).where(
                ContactTag.workspace_id == self.workspace_id,
                ContactTag.tag_id == tag_id,
                ContactTag.contact_id.in_(ids),
            )
        )

    async def set_column(self, where: ColumnElement[bool], column: str, value: Any) -> None:
        await self._update(where, {column: value})

    async def set_custom(self, where: ColumnElement[bool], name: str, value: Any) -> None:
        column = Contact.custom_fields
        merged: ColumnElement[Any]
        if is_postgres(self.session):
            merged = column.op("||")(func.jsonb_build_object(name, bindparam(None, value, JSONB)))
        else:
            path = "$." + json.dumps(name)
            merged = func.json_set(column, path, func.json(json.dumps(value)))
        await self._update(where, {"custom_fields": merged})

    async def _update(self, where: ColumnElement[bool], values: dict[str, Any]) -> None:
        await self.session.execute(
            update(Contact)
            .where(self._matching(where))
            .values(**values, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
