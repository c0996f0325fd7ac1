"""The user account table."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    """A person. Global (not tenant-owned): one account may belong to several workspaces."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    image: Mapped[str | None] = mapped_column(String(2000), default=None)
    password_hash: Mapped[str | None] = mapped_column(String(500), default=None)
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
