"""Contacts selected by a compiled filter clause: counted, previewed and paged by the database.

`workspace_id=None` selects across every workspace (platform admins' cross-workspace segments).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from kindred.contacts.models import Contact
from kindred.core.schemas import PageParams

AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])


class MatchingContacts:
    def __init__(self, session: AsyncSession, workspace_id: uuid.UUID | None) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def _scoped(self, stmt: AnySelect, where: ColumnElement[bool]) -> AnySelect:
        if self.workspace_id is not None:
            stmt = stmt.where(Contact.workspace_id == self.workspace_id)
        return stmt.where(where)

    async def count(self, where: ColumnElement[bool]) -> int:
        stmt = self._scoped(select(func.count()).select_from(Contact), where)
        return int(await self.session.scalar(stmt) or 0)

    async def first(
        self, where: ColumnElement[bool], limit: int
    ) -> Sequence[Row[uuid.UUID, str | None, str | None, str | None]]:
        """The newest `limit` matches, as (id, email, first_name, last_name) rows."""
        columns = select(Contact.id, Contact.email, Contact.first_name, Contact.last_name)
        stmt = self._scoped(columns, where).order_by(Contact.created_at.desc(), Contact.id.desc())
        return (await self.session.execute(stmt.limit(limit))).all()

    async def ids_after(
        self, where: ColumnElement[bool], after: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID]:
        """Up to `limit` matching ids in id order after `after`: keyset pages, so that
        contacts changing meanwhile shift no page boundary."""
        stmt = self._scoped(select(Contact.id), where)
        if after is not None:
            stmt = stmt.where(Contact.id > after)
        return list((await self.session.scalars(stmt.order_by(Contact.id).limit(limit))).all())

    async def page(
        self, where: ColumnElement[bool], params: PageParams
    ) -> tuple[Sequence[Contact], int]:
        stmt = (
            self._scoped(select(Contact), where)
            .options(selectinload(Contact.tags))
            .order_by(Contact.created_at.desc(), Contact.id.desc())
            .limit(params.limit)
            .offset(params.offset)
        )
        return (await self.session.scalars(stmt)).all(), await self.count(where)
