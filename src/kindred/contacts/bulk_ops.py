"""Tag and field changes applied to every contact a filter selects, in bulk (automation rules).

One statement per operation over the compiled filter, so a rule over a million contacts costs
a handful of statements. These writes emit no per-contact events (that would be one row per
contact); callers that need reactions use the single-contact services.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts import matching, tags
from kindred.contacts.fields import FieldChecker
from kindred.contacts.repository.bulk_ops import ContactBulkOps
from kindred.core.errors import ValidationFailed
from kindred.core.filters import Group

# Columns a bulk write may set: not the unique or normalised ones (email, phone, CRM ids).
BULK_COLUMNS = frozenset(
    {"first_name", "last_name", "company", "title", "role", "notes", "source", "language"}
)


class Bulk:
    """The contacts of one workspace that a parsed filter selects (among `ids`, when given)."""

    def __init__(
        self,
        session: AsyncSession,
        workspace_id: uuid.UUID,
        group: Group,
        ids: Collection[uuid.UUID] | None = None,
    ) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.group = group
        self.ops = ContactBulkOps(session, workspace_id, ids)

    def only(self, ids: Collection[uuid.UUID]) -> Bulk:
        """Exactly the contacts `ids`, whatever the filter says of them by now: a rule whose
        first action changes what its filter matches (it tags the contacts its filter wants
        untagged) still applies its next actions to the contacts it chose."""
        return Bulk(self.session, self.workspace_id, Group("all", ()), ids)

    async def ids_after(self, after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
        """The next `limit` contacts the filter selects after `after`, in id order."""
        return await matching.ids_after(self.session, self.workspace_id, self.group, after, limit)

    def _where(self) -> Any:
        return matching.where_clause(self.session, self.workspace_id, self.group)

    async def count(self) -> int:
        return await matching.count(self.session, self.workspace_id, self.group)

    async def add_tag(self, name: str) -> None:
        (tag,) = await tags.ensure_tags(self.session, self.workspace_id, [name])
        await self.ops.add_tag(self._where(), tag.id)

    async def remove_tag(self, name: str) -> None:
        for tag_id in await tags.tag_ids_named(self.session, self.workspace_id, [name]) or []:
            await self.ops.remove_tag(self._where(), tag_id)

    async def set_column(self, column: str, value: Any) -> None:
        if column not in BULK_COLUMNS:
            message = f"{column} cannot be set in bulk"
            raise ValidationFailed(message, details=[{"field": column, "message": message}])
        await self.ops.set_column(self._where(), column, value)

    async def set_custom(self, name: str, value: Any) -> None:
        checker = await FieldChecker.load(self.session, self.workspace_id)
        checked = checker.check({name: value})
        await self.ops.set_custom(self._where(), name, checked[name])
