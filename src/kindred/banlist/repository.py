"""Statements on the banlist."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, tuple_

from kindred.banlist.models import Banned
from kindred.core.db.dialect import among
from kindred.core.errors import NotFound
from kindred.core.repository import WorkspaceRepository


class BannedNotFound(NotFound):
    code = "NOT_FOUND"
    message = "Banned entry not found"


class BannedRepository(WorkspaceRepository[Banned]):
    model = Banned
    not_found = BannedNotFound

    async def matching(self, emails: Sequence[str], phones: Sequence[str]) -> Banned | None:
        conditions = []
        if emails:
            conditions.append(Banned.email.in_(emails))
        if phones:
            conditions.append(Banned.phone.in_(phones))
        if not conditions:
            return None
        found: Banned | None = await self.session.scalar(
            self.base().where(or_(*conditions)).limit(1)
        )
        return found

    async def banned_among(
        self, emails: Sequence[str | None], phones: Sequence[str | None]
    ) -> set[str]:
        """The emails and phones among these (given normalised) that are banned."""
        wanted_emails = {email for email in emails if email}
        wanted_phones = {phone for phone in phones if phone}
        if not (wanted_emails or wanted_phones):
            return set()
        statement = select(Banned.email, Banned.phone).where(
            Banned.workspace_id == self.workspace_id,
            or_(
                among(self.session, Banned.email, wanted_emails),
                among(self.session, Banned.phone, wanted_phones),
            ),
        )
        rows = (await self.session.execute(statement)).all()
        return ({row.email for row in rows} & wanted_emails) | (
            {row.phone for row in rows} & wanted_phones
        )

    def sorted_after(
        self, sort_by: str, descending: bool, after: tuple[str, uuid.UUID] | None
    ) -> Select[Banned]:
        """Keyset order by (sort key, id); `after` is the previous page's last (key, id).

        createdAt orders by id alone: ids are UUIDv7, minted with the row, so time-ordered.
        Entries without an email sort by email as ''."""
        keys: list[ColumnElement[Any]] = [Banned.id.expression]
        if sort_by == "email":
            keys.insert(0, func.coalesce(Banned.email, ""))
        statement = self.base()
        if after is not None:
            values = [after[1]] if len(keys) == 1 else [after[0], after[1]]
            row, bound = tuple_(*keys), tuple_(*(literal(v) for v in values))
            statement = statement.where(row < bound if descending else row > bound)
        return statement.order_by(*(key.desc() if descending else key.asc() for key in keys))
