"""Saved segments: a named filter over the workspace's contacts (or all workspaces')."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin


class Segment(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "segments"
    __audited__ = True

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    filter: Mapped[dict[str, Any]] = mapped_column(default=dict)
    cross_workspace: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
