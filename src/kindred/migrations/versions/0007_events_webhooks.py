"""events and webhooks: the domain-event outbox and ledger, webhook endpoints, deliveries, attempts

Revision ID: 0007_events_webhooks
Revises: 0006_pipeline
Create Date: 2026-11-23 04:53:15.263756
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import kindred.core.db.types

revision: str = "0007_events_webhooks"
down_revision: str | Sequence[str] | None = "0006_pipeline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "domain_events",
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("occurred_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retry_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_until", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_domain_events_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_events")),
    )
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_domain_events_dispatched_at_retry_at", ["dispatched_at", "retry_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_domain_events_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            "ix_domain_events_workspace_id_occurred_at",
            ["workspace_id", "occurred_at"],
            unique=False,
        )

    op.create_table(
        "webhook_endpoints",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column(
            "events",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "filter",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column(
            "previous_secret_expires_at",
            kindred.core.db.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("failing_since", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_webhook_endpoints_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoints_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "domain_event_consumers",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("consumer", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["domain_events.id"],
            name=op.f("fk_domain_event_consumers_event_id_domain_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_domain_event_consumers_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "consumer", name=op.f("pk_domain_event_consumers")),
    )
    with op.batch_alter_table("domain_event_consumers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_domain_event_consumers_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "webhook_deliveries",
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("locked_until", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "last_attempt_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("replay_of", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_webhook_deliveries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_due", ["endpoint_id", "status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_deliveries_order", ["endpoint_id", "contact_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "webhook_attempts",
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("attempted_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "request_headers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_webhook_attempts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_attempts_delivery_id"), ["delivery_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_attempts_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_attempts_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_webhook_attempts_delivery_id"))

    op.drop_table("webhook_attempts")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_workspace_id"))
        batch_op.drop_index("ix_webhook_deliveries_order")
        batch_op.drop_index("ix_webhook_deliveries_due")

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("domain_event_consumers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_domain_event_consumers_workspace_id"))

    op.drop_table("domain_event_consumers")
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_workspace_id"))

    op.drop_table("webhook_endpoints")
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_events_workspace_id_occurred_at")
        batch_op.drop_index(batch_op.f("ix_domain_events_workspace_id"))
        batch_op.drop_index("ix_domain_events_dispatched_at_retry_at")

    op.drop_table("domain_events")
