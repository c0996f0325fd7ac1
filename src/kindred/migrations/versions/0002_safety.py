"""safety: idempotency records, inbound event ledger, provider bindings

Revision ID: 0002_safety
Revises: 0001_foundation
Create Date: 2026-11-23 05:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import kindred.core.db.types

revision: str = "0002_safety"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_records",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("claim_token", sa.String(length=64), nullable=False),
        sa.Column("locked_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column(
            "response_headers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_idempotency_records_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint(
            "workspace_id", "key", name=op.f("uq_idempotency_records_workspace_id_key")
        ),
    )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_records_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_idempotency_records_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "inbound_events",
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_inbound_events_workspace_id_workspaces"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_events")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_inbound_events_provider_event_id")
        ),
    )
    with op.batch_alter_table("inbound_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_events_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "provider_bindings",
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_provider_bindings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_bindings")),
        sa.UniqueConstraint(
            "workspace_id",
            "provider",
            "kind",
            "value",
            name=op.f("uq_provider_bindings_workspace_id_provider_kind_value"),
        ),
    )
    with op.batch_alter_table("provider_bindings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_provider_bindings_provider_kind_value", ["provider", "kind", "value"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_provider_bindings_workspace_id"), ["workspace_id"], unique=False
        )
        # Partial unique index (both dialects support it): a receiving address routes to one
        # workspace, while one provider account may serve several.
        batch_op.create_index(
            "uq_provider_bindings_address",
            ["provider", "value"],
            unique=True,
            sqlite_where=sa.text("kind = 'address'"),
            postgresql_where=sa.text("kind = 'address'"),
        )


def downgrade() -> None:
    op.drop_table("provider_bindings")
    op.drop_table("inbound_events")
    op.drop_table("idempotency_records")
