"""campaigns: campaigns and their recipient ledger

Revision ID: 0010_campaigns
Revises: 0009_analytics_indexes
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import kindred.core.db.types

revision: str = "0010_campaigns"
down_revision: str | Sequence[str] | None = "0009_analytics_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=998), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("from_name", sa.String(length=200), nullable=True),
        sa.Column("from_email", sa.String(length=320), nullable=True),
        sa.Column("segment_id", sa.Uuid(), nullable=True),
        sa.Column(
            "target_tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("target_tags_match", sa.String(length=8), nullable=False),
        sa.Column(
            "filter",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("scheduled_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("allow_no_unsubscribe", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("recipients_count", sa.Integer(), nullable=False),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("delivered_count", sa.Integer(), nullable=False),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.Column("click_count", sa.Integer(), nullable=False),
        sa.Column("unsubscribe_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_campaigns_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_campaigns_segment_id_segments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_campaigns_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaigns_status_scheduled_at"), ["status", "scheduled_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_campaigns_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_campaigns_workspace_id_created_at"),
            ["workspace_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "campaign_recipients",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("to_address", sa.String(length=320), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("sent_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("clicked_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "unsubscribed_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_recipients_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_campaign_recipients_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_campaign_recipients_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_campaign_recipients_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "contact_id", name=op.f("pk_campaign_recipients")),
        sa.UniqueConstraint("message_id", name=op.f("uq_campaign_recipients_message_id")),
    )
    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_recipients_campaign_id_status"),
            ["campaign_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_campaign_recipients_workspace_id_contact_id"),
            ["workspace_id", "contact_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_recipients_workspace_id_contact_id"))
        batch_op.drop_index(batch_op.f("ix_campaign_recipients_campaign_id_status"))

    op.drop_table("campaign_recipients")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaigns_workspace_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_campaigns_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_campaigns_status_scheduled_at"))

    op.drop_table("campaigns")
