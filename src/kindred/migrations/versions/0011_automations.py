"""automations: workflows (and automation rules), their runs, steps and caused events

Revision ID: 0011_automations
Revises: 0010_campaigns
Create Date: 2026-11-23 05:33:42.041454
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import kindred.core.db.types

revision: str = "0011_automations"
down_revision: str | Sequence[str] | None = "0010_campaigns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workflows",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column(
            "trigger_config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("match", sa.String(length=3), nullable=False),
        sa.Column(
            "conditions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "actions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("execution_count", sa.Integer(), nullable=False),
        sa.Column("last_fired_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("webhook_secret", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_workflows_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_workflows_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflows")),
    )
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflows_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            "ix_workflows_workspace_id_trigger", ["workspace_id", "trigger"], unique=False
        )

    op.create_table(
        "workflow_runs",
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("trigger_key", sa.String(length=80), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column(
            "context",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("next_step", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name=op.f("fk_workflow_runs_workflow_id_workflows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_workflow_runs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_runs")),
        sa.UniqueConstraint(
            "workflow_id", "trigger_key", name=op.f("uq_workflow_runs_workflow_id_trigger_key")
        ),
    )
    with op.batch_alter_table("workflow_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_runs_workflow_id_created_at", ["workflow_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_runs_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "workflow_caused_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["workflow_runs.id"],
            name=op.f("fk_workflow_caused_events_run_id_workflow_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_workflow_caused_events_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_workflow_caused_events")),
    )
    with op.batch_alter_table("workflow_caused_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_caused_events_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "workflow_run_steps",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "output",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["workflow_runs.id"],
            name=op.f("fk_workflow_run_steps_run_id_workflow_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_workflow_run_steps_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_run_steps")),
    )
    with op.batch_alter_table("workflow_run_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workflow_run_steps_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_workflow_run_steps_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    for table in ("workflow_run_steps", "workflow_caused_events", "workflow_runs", "workflows"):
        op.drop_table(table)
