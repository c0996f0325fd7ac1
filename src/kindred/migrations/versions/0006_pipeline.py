"""leads, pipelines with stages, deals (contacts, stage history), appointments, calendar feeds

Indexes serve the analytics overview: deals by (workspace, stage) covering value on
PostgreSQL, stage history by (workspace, changed_at, to_stage).

Revision ID: 0006_pipeline
Revises: 0005_segments
Create Date: 2026-11-23 04:46:51.625984
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import kindred.core.db.types

revision: str = "0006_pipeline"
down_revision: str | Sequence[str] | None = "0005_segments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_calendar_feeds_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_calendar_feeds_token_digest")),
        sa.UniqueConstraint(
            "workspace_id", "user_id", name=op.f("uq_calendar_feeds_workspace_id_user_id")
        ),
    )
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_feeds_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "pipelines",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_pipelines_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipelines")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_pipelines_workspace_id_name")),
    )
    with op.batch_alter_table("pipelines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pipelines_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "pipeline_stages",
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipelines.id"],
            name=op.f("fk_pipeline_stages_pipeline_id_pipelines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_pipeline_stages_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_stages")),
        sa.UniqueConstraint(
            "workspace_id",
            "pipeline_id",
            "key",
            name=op.f("uq_pipeline_stages_workspace_id_pipeline_id_key"),
        ),
    )
    with op.batch_alter_table("pipeline_stages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pipeline_stages_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "appointments",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("start_time", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_time", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column(
            "reminders",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_appointments_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_appointments_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_appointments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointments_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointments_workspace_id_contact_id"),
            ["workspace_id", "contact_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_appointments_workspace_id_owner_id_start_time"),
            ["workspace_id", "owner_id", "start_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_appointments_workspace_id_start_time"),
            ["workspace_id", "start_time"],
            unique=False,
        )

    op.create_table(
        "deals",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column(
            "expected_close_date", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("closed_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lost_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_deals_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_deals_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipelines.id"],
            name=op.f("fk_deals_pipeline_id_pipelines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["pipeline_stages.id"],
            name=op.f("fk_deals_stage_id_pipeline_stages"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_deals_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
    )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deals_workspace_id"), ["workspace_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deals_workspace_id_created_at"),
            ["workspace_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_deals_workspace_id_expected_close_date"),
            ["workspace_id", "expected_close_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_deals_workspace_id_owner_id"), ["workspace_id", "owner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deals_workspace_id_stage_id"),
            ["workspace_id", "stage_id"],
            unique=False,
            postgresql_include=["value"],
        )

    op.create_table(
        "leads",
        sa.Column("business_name", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=100), nullable=True),
        sa.Column("zip_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("website", sa.String(length=2000), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("category", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("google_place_id", sa.String(length=300), nullable=True),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("converted_contact_id", sa.Uuid(), nullable=True),
        sa.Column("converted_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["converted_contact_id"],
            ["contacts.id"],
            name=op.f("fk_leads_converted_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_leads_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_leads_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint(
            "workspace_id", "google_place_id", name=op.f("uq_leads_workspace_id_google_place_id")
        ),
        sa.UniqueConstraint("workspace_id", "phone", name=op.f("uq_leads_workspace_id_phone")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leads_workspace_id"), ["workspace_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_leads_workspace_id_created_at"),
            ["workspace_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_leads_workspace_id_owner_id"), ["workspace_id", "owner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_leads_workspace_id_status"), ["workspace_id", "status"], unique=False
        )

    op.create_table(
        "deal_contacts",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_deal_contacts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_contacts_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_deal_contacts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "deal_id", "contact_id", name=op.f("pk_deal_contacts")
        ),
    )
    with op.batch_alter_table("deal_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deal_contacts_workspace_id_contact_id"),
            ["workspace_id", "contact_id"],
            unique=False,
        )

    op.create_table(
        "deal_stage_changes",
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("from_stage", sa.String(length=60), nullable=True),
        sa.Column("to_stage", sa.String(length=60), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("changed_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_stage_changes_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipelines.id"],
            name=op.f("fk_deal_stage_changes_pipeline_id_pipelines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_deal_stage_changes_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_deal_stage_changes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_stage_changes")),
    )
    with op.batch_alter_table("deal_stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deal_stage_changes_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deal_stage_changes_workspace_id_changed_at_to_stage"),
            ["workspace_id", "changed_at", "to_stage"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_deal_stage_changes_workspace_id_deal_id_changed_at"),
            ["workspace_id", "deal_id", "changed_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("deal_stage_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_stage_changes_workspace_id_deal_id_changed_at"))
        batch_op.drop_index(batch_op.f("ix_deal_stage_changes_workspace_id_changed_at_to_stage"))
        batch_op.drop_index(batch_op.f("ix_deal_stage_changes_workspace_id"))

    op.drop_table("deal_stage_changes")
    with op.batch_alter_table("deal_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_contacts_workspace_id_contact_id"))

    op.drop_table("deal_contacts")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_workspace_id_status"))
        batch_op.drop_index(batch_op.f("ix_leads_workspace_id_owner_id"))
        batch_op.drop_index(batch_op.f("ix_leads_workspace_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_leads_workspace_id"))

    op.drop_table("leads")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_deals_workspace_id_stage_id"), postgresql_include=["value"]
        )
        batch_op.drop_index(batch_op.f("ix_deals_workspace_id_owner_id"))
        batch_op.drop_index(batch_op.f("ix_deals_workspace_id_expected_close_date"))
        batch_op.drop_index(batch_op.f("ix_deals_workspace_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_deals_workspace_id"))

    op.drop_table("deals")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointments_workspace_id_start_time"))
        batch_op.drop_index(batch_op.f("ix_appointments_workspace_id_owner_id_start_time"))
        batch_op.drop_index(batch_op.f("ix_appointments_workspace_id_contact_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_workspace_id"))

    op.drop_table("appointments")
    with op.batch_alter_table("pipeline_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pipeline_stages_workspace_id"))

    op.drop_table("pipeline_stages")
    with op.batch_alter_table("pipelines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pipelines_workspace_id"))

    op.drop_table("pipelines")
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_feeds_workspace_id"))

    op.drop_table("calendar_feeds")
