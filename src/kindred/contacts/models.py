"""Contacts, tags (with the contact_tags association), field definitions, interactions and
import jobs.

`search_text` is a stored generated column (lowercased name, email, phone and company) so that
one trigram index on PostgreSQL (and one LIKE on SQLite) serves every search fragment; the
bulk import path never has to maintain it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Computed,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    collate,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin, utcnow
from kindred.core.db.rollup import RollupMixin, rollup_indexes

FOLDED_TAG_NAME_INDEX = "uq_tags_workspace_id_folded_name"
SEARCH_TEXT_SQL = (
    "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || "
    "coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || coalesce(company, ''))"
)


class Tag(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    """A workspace's tag. Its name is unique ignoring ASCII case, as the filters fold it
    (`TagRepository.by_names` looks names up by the same expression, so this index serves it).
    """

    __tablename__ = "tags"
    __audited__ = True

    name: Mapped[str] = mapped_column(String(100))
    color: Mapped[str | None] = mapped_column(String(32), default=None)

    # The folded index is `fold` of core/filters/dialect.py per dialect (not imported: the
    # filters import these models). The plain constraint it implies stays: dropping it would
    # rebuild the table on SQLite, whose DROP TABLE cascades into contact_tags.
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        Index(FOLDED_TAG_NAME_INDEX, "workspace_id", func.lower(name), unique=True).ddl_if(
            dialect="sqlite"
        ),
        Index(
            FOLDED_TAG_NAME_INDEX, "workspace_id", func.lower(collate(name, "C")), unique=True
        ).ddl_if(dialect="postgresql"),
    )


class ContactTag(Base):
    """A contact carrying a tag; the segments compiler turns `tags has X` into EXISTS over it."""

    __tablename__ = "contact_tags"
    # contact_id alone: the tags of a page of contacts (selectinload) and the cascade of a
    # contact's deletion look links up by it; without it both scan every link (220 ms at 1M).
    __table_args__ = (
        Index(None, "workspace_id", "tag_id", "contact_id"),
        Index(None, "contact_id"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )


class Contact(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email"),
        UniqueConstraint("workspace_id", "crm_source", "crm_id"),
        Index(None, "workspace_id", "created_at"),
        Index(None, "workspace_id", "company_id"),
        Index(None, "workspace_id", "owner_id"),
        Index(None, "workspace_id", "phone"),
        # Substring search on PostgreSQL; SQLite scans search_text with LIKE (see service docs).
        Index(
            "ix_contacts_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )
    __audited__ = True

    first_name: Mapped[str | None] = mapped_column(String(200), default=None)
    last_name: Mapped[str | None] = mapped_column(String(200), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    company: Mapped[str | None] = mapped_column(String(300), default=None)
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str | None] = mapped_column(String(200), default=None)
    role: Mapped[str | None] = mapped_column(String(200), default=None)
    is_primary: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source: Mapped[str] = mapped_column(String(50), default="manual")
    language: Mapped[str | None] = mapped_column(String(20), default=None)
    globally_unsubscribed: Mapped[bool] = mapped_column(default=False)
    communication_preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    crm_id: Mapped[str | None] = mapped_column(String(200), default=None)
    crm_source: Mapped[str | None] = mapped_column(String(100), default=None)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    last_task_run: Mapped[datetime | None] = mapped_column(default=None)
    total_tasks_run: Mapped[int] = mapped_column(default=0)
    search_text: Mapped[str] = mapped_column(Text, Computed(SEARCH_TEXT_SQL, persisted=True))

    tags: Mapped[list[Tag]] = relationship(
        secondary="contact_tags", lazy="raise", order_by=Tag.name, viewonly=True
    )


class ContactDailyCount(RollupMixin, WorkspaceMixin, Base):
    """Contacts per UTC day of `created_at`: a rollup (`kindred.core.db.rollup`) kept by the
    triggers on `contacts` that migration 0013 creates, so the dashboard's totals and growth
    chart never count a workspace's contacts one by one."""

    __tablename__ = "contact_daily_counts"
    __table_args__ = rollup_indexes("contact_daily_counts", "day")

    day: Mapped[date]
    contacts: Mapped[int] = mapped_column(BigInteger)


class FieldDefinition(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "field_definitions"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    __audited__ = True

    name: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    field_type: Mapped[str] = mapped_column(String(20))
    options: Mapped[list[Any] | None] = mapped_column(default=None)
    sort_order: Mapped[int] = mapped_column(default=0)
    scope: Mapped[str] = mapped_column(String(20), default="workspace")


class Interaction(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    """One event on a contact's timeline (`meta` is the `metadata` column: a reserved name)."""

    __tablename__ = "interactions"
    __workspace_index__ = False
    __table_args__ = (Index(None, "workspace_id", "contact_id", "occurred_at"),)

    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    # As long as a message's subject (the timeline copies it); notes stay within 500.
    subject: Mapped[str | None] = mapped_column(String(998), default=None)
    body: Mapped[str | None] = mapped_column(Text, default=None)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class ImportJob(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    """A large import run in the background: its input rows until done, then its counters."""

    __tablename__ = "contact_import_jobs"

    status: Mapped[str] = mapped_column(String(20), default="queued")
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rows: Mapped[list[Any] | None] = mapped_column(default=None)
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
