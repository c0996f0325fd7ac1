"""Query bases. A WorkspaceRepository starts every statement with the tenant filter.

`get_or_404` raises the same NotFound for a missing row and another workspace's row, so
existence never leaks across tenants.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, func, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.core.db import Base
from kindred.core.db.copy import copy_into
from kindred.core.db.dialect import is_postgres
from kindred.core.errors import NotFound
from kindred.core.schemas import PageParams

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    """Queries on a table that is not tenant-owned (users, workspaces, platform-admin views)."""

    model: ClassVar[type[Any]]
    not_found: ClassVar[type[NotFound]] = NotFound

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def base(self) -> Select[M]:
        return select(self.model)

    async def get(self, object_id: uuid.UUID) -> M | None:
        result: M | None = await self.session.scalar(self.base().where(self.model.id == object_id))
        return result

    async def get_or_404(self, object_id: uuid.UUID) -> M:
        found = await self.get(object_id)
        if found is None:
            raise self.not_found()
        return found

    async def add(self, obj: M) -> M:
        self.session.add(obj)
        await self.session.flush()
        return obj

    async def delete(self, obj: M) -> None:
        await self.session.delete(obj)
        await self.session.flush()

    async def all(self, stmt: Select[M]) -> Sequence[M]:
        return (await self.session.scalars(stmt)).all()

    async def count(self, stmt: Select[M]) -> int:
        counted = stmt.order_by(None).with_only_columns(func.count()).select_from(self.model)
        return int(await self.session.scalar(counted) or 0)

    async def page(self, stmt: Select[M], params: PageParams) -> tuple[Sequence[M], int]:
        total = await self.count(stmt)
        rows = await self.all(stmt.limit(params.limit).offset(params.offset))
        return rows, total


class WorkspaceRepository(Repository[M]):
    """Queries on a tenant-owned table, always within one workspace."""

    def __init__(self, session: AsyncSession, workspace_id: uuid.UUID) -> None:
        super().__init__(session)
        self.workspace_id = workspace_id

    def base(self) -> Select[M]:
        return select(self.model).where(self.model.workspace_id == self.workspace_id)

    async def add(self, obj: M) -> M:
        obj.workspace_id = self.workspace_id  # type: ignore[attr-defined]
        return await super().add(obj)

    async def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Inserts into this workspace in one statement (COPY on PostgreSQL, an executemany
        INSERT on SQLite): no ORM object, no flush hooks. Every row must carry the same keys;
        column defaults apply as for one row."""
        if not rows:
            return
        if not is_postgres(self.session):
            rows = [{**row, "workspace_id": self.workspace_id} for row in rows]
            await self.session.execute(insert(self.model), rows)
            return
        columns = inspect(self.model).columns  # attribute keys can differ: `meta` is `metadata`
        if any(columns[key].name != key for key in rows[0]):
            named = {key: columns[key].name for key in rows[0]}
            rows = [{named[key]: value for key, value in row.items()} for row in rows]
        table = self.model.__table__
        await copy_into(self.session, table, rows, {"workspace_id": self.workspace_id})
