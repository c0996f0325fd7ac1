"""Queries on companies."""

from __future__ import annotations

from sqlalchemy import Select

from kindred.companies.errors import CompanyNotFound
from kindred.companies.models import Company
from kindred.core.repository import WorkspaceRepository


class CompanyRepository(WorkspaceRepository[Company]):
    model = Company
    not_found = CompanyNotFound

    def ordered(self) -> Select[Company]:
        return self.base().order_by(Company.position, Company.name, Company.id)
