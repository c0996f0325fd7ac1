"""Creating, listing, updating and deleting companies."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.companies.models import Company
from kindred.companies.repository import CompanyRepository
from kindred.core.schemas import PageParams


async def create_company(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID, fields: dict[str, Any]
) -> Company:
    values = {name: value for name, value in fields.items() if value is not None}
    return await CompanyRepository(session, workspace_id).add(Company(created_by=user_id, **values))


async def get_company(
    session: AsyncSession, workspace_id: uuid.UUID, company_id: uuid.UUID
) -> Company:
    return await CompanyRepository(session, workspace_id).get_or_404(company_id)


async def list_companies(
    session: AsyncSession, workspace_id: uuid.UUID, params: PageParams | None = None
) -> tuple[Sequence[Company], int]:
    repository = CompanyRepository(session, workspace_id)
    if params is None:
        rows = await repository.all(repository.ordered())
        return rows, len(rows)
    return await repository.page(repository.ordered(), params)


async def update_company(
    session: AsyncSession, workspace_id: uuid.UUID, company_id: uuid.UUID, changes: dict[str, Any]
) -> Company:
    company = await get_company(session, workspace_id, company_id)
    for name, value in changes.items():
        if value is not None or name not in ("name", "position", "is_customer"):
            setattr(company, name, value)
    await session.flush()
    return company


async def delete_company(
    session: AsyncSession, workspace_id: uuid.UUID, company_id: uuid.UUID
) -> None:
    repository = CompanyRepository(session, workspace_id)
    await repository.delete(await repository.get_or_404(company_id))
