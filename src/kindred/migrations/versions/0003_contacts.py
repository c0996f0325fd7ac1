"""contacts, companies, tags, fields, interactions, import jobs

Revision ID: 0003_contacts
Revises: 0002_safety
Create Date: 2026-11-23 04:35:31.586571
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import kindred.core.db.types

revision: str = "0003_contacts"
down_revision: str | Sequence[str] | None = "0002_safety"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("website", sa.String(length=2000), nullable=True),
        sa.Column("industry", sa.String(length=200), nullable=True),
        sa.Column("deal_value", sa.Float(), nullable=True),
        sa.Column("stage_id", sa.String(length=100), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("logo_url", sa.String(length=2000), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("last_contact", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_customer", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_companies_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_companies_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
    )
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_companies_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_companies_workspace_id_name"), ["workspace_id", "name"], unique=False
        )

    op.create_table(
        "contact_import_jobs",
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "rows",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_contact_import_jobs_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_contact_import_jobs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_import_jobs")),
    )
    with op.batch_alter_table("contact_import_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_import_jobs_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "field_definitions",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("field_type", sa.String(length=20), nullable=False),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_field_definitions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_definitions")),
        sa.UniqueConstraint(
            "workspace_id", "name", name=op.f("uq_field_definitions_workspace_id_name")
        ),
    )
    with op.batch_alter_table("field_definitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_field_definitions_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("color", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_tags_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_tags_workspace_id_name")),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tags_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("company", sa.String(length=300), nullable=True),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("globally_unsubscribed", sa.Boolean(), nullable=False),
        sa.Column(
            "communication_preferences",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("crm_id", sa.String(length=200), nullable=True),
        sa.Column("crm_source", sa.String(length=100), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("last_task_run", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("total_tasks_run", sa.Integer(), nullable=False),
        sa.Column(
            "search_text",
            sa.Text(),
            sa.Computed(
                "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || coalesce(company, ''))",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_contacts_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_contacts_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_contacts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint(
            "workspace_id",
            "crm_source",
            "crm_id",
            name=op.f("uq_contacts_workspace_id_crm_source_crm_id"),
        ),
        sa.UniqueConstraint("workspace_id", "email", name=op.f("uq_contacts_workspace_id_email")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contacts_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contacts_workspace_id_company_id"),
            ["workspace_id", "company_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contacts_workspace_id_created_at"),
            ["workspace_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contacts_workspace_id_owner_id"),
            ["workspace_id", "owner_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contacts_workspace_id_phone"), ["workspace_id", "phone"], unique=False
        )

    op.create_table(
        "contact_tags",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_tags_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_contact_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_contact_tags_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "contact_id", "tag_id", name=op.f("pk_contact_tags")
        ),
    )
    with op.batch_alter_table("contact_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_tags_workspace_id_tag_id_contact_id"),
            ["workspace_id", "tag_id", "contact_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contact_tags_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "interactions",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("occurred_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_interactions_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_interactions_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_interactions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interactions_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_interactions_workspace_id_contact_id_occurred_at"),
            ["workspace_id", "contact_id", "occurred_at"],
            unique=False,
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_contacts_search_text_trgm",
            "contacts",
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_contacts_search_text_trgm", table_name="contacts")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interactions_workspace_id_contact_id_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_interactions_workspace_id"))

    op.drop_table("interactions")
    with op.batch_alter_table("contact_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_tags_contact_id"))
        batch_op.drop_index(batch_op.f("ix_contact_tags_workspace_id_tag_id_contact_id"))

    op.drop_table("contact_tags")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_workspace_id_phone"))
        batch_op.drop_index(batch_op.f("ix_contacts_workspace_id_owner_id"))
        batch_op.drop_index(batch_op.f("ix_contacts_workspace_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_contacts_workspace_id_company_id"))
        batch_op.drop_index(batch_op.f("ix_contacts_workspace_id"))

    op.drop_table("contacts")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_workspace_id"))

    op.drop_table("tags")
    with op.batch_alter_table("field_definitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_definitions_workspace_id"))

    op.drop_table("field_definitions")
    with op.batch_alter_table("contact_import_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_import_jobs_workspace_id"))

    op.drop_table("contact_import_jobs")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_workspace_id_name"))
        batch_op.drop_index(batch_op.f("ix_companies_workspace_id"))

    op.drop_table("companies")
