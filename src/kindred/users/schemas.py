"""User wire formats (documents 000 and 002)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import EmailStr, Field

from kindred.core.permissions import Role
from kindred.core.schemas import ApiModel, InputModel


class MemberRead(ApiModel):
    id: uuid.UUID
    name: str
    email: str
    image: str | None = None
    is_admin: bool
    role: Role


class MemberCreate(InputModel):
    email: EmailStr
    name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, min_length=8, max_length=256)
    role: Role = Role.MEMBER


class MemberUpdate(InputModel):
    role: Role


class UserStats(ApiModel):
    contacts: int = 0
    leads: int = 0
    deals: int = 0


class PlatformUserRead(ApiModel):
    id: uuid.UUID
    email: str
    name: str
    role: str
    created_at: datetime
    stats: UserStats


class PlatformUserList(ApiModel):
    users: list[PlatformUserRead]
    total: int
    page: int
    page_size: int
    total_pages: int
