"""messaging: conversations, messages, sandbox captures, twilio accounts, banlist, credits

Revision ID: 0008_messaging
Revises: 0007_events_webhooks
Create Date: 2026-11-23 05:08:16.432795
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import kindred.core.db.types

revision: str = "0008_messaging"
down_revision: str | Sequence[str] | None = "0007_events_webhooks"
branch_labels: str | Sequence[str] | None = None
# Not "0002_safety" too, though inbound routing uses its tables at run time: with both,
# Alembic's `upgrade heads` from an empty database fails (KeyError on the shared root) under
# some hash seeds while the revisions are still branches; the lead's linearisation settles it.
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credit_weights",
        sa.Column("credit_type", sa.String(length=20), nullable=False),
        sa.Column("weight", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_weights")),
        sa.UniqueConstraint("credit_type", name=op.f("uq_credit_weights_credit_type")),
    )
    op.create_table(
        "banned_contacts",
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("message_got", sa.Text(), nullable=True),
        sa.Column("sentiment_score", sa.Double(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_banned_contacts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_banned_contacts")),
    )
    with op.batch_alter_table("banned_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_banned_contacts_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_banned_contacts_workspace_id_created_at"),
            ["workspace_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_banned_contacts_workspace_id_email"),
            ["workspace_id", "email"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_banned_contacts_workspace_id_phone"),
            ["workspace_id", "phone"],
            unique=False,
        )

    op.create_table(
        "credit_accounts",
        sa.Column("balance", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_credit_accounts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_accounts")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_credit_accounts_workspace_id")),
    )
    with op.batch_alter_table("credit_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_accounts_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "credit_entries",
        sa.Column("amount", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("credit_type", sa.String(length=20), nullable=False),
        sa.Column("reference_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_credit_entries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_entries")),
    )
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_entries_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_credit_entries_workspace_id_created_at"),
            ["workspace_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "twilio_accounts",
        sa.Column("account_sid", sa.String(length=64), nullable=True),
        sa.Column("auth_token", sa.Text(), nullable=True),
        sa.Column("messaging_service_sid", sa.String(length=64), nullable=True),
        sa.Column("phone_number", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_twilio_accounts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twilio_accounts")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_twilio_accounts_workspace_id")),
    )
    with op.batch_alter_table("twilio_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_twilio_accounts_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "conversations",
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_to_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        sa.Column("unread_count", sa.Integer(), nullable=False),
        sa.Column(
            "last_message_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("trust_uploads", sa.Boolean(), nullable=False),
        sa.Column("visitor_name", sa.String(length=200), nullable=True),
        sa.Column("visitor_email", sa.String(length=320), nullable=True),
        sa.Column("visitor_ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.Column("referrer_url", sa.String(length=2000), nullable=True),
        sa.Column("page_url", sa.String(length=2000), nullable=True),
        sa.Column("visitor_token_digest", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to_user_id"],
            ["users.id"],
            name=op.f("fk_conversations_assigned_to_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_conversations_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_conversations_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_conversations_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversations_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conversations_workspace_id_company_id"),
            ["workspace_id", "company_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_conversations_workspace_id_contact_id_channel"),
            ["workspace_id", "contact_id", "channel"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_conversations_workspace_id_last_message_at"),
            ["workspace_id", "last_message_at"],
            unique=False,
        )

    op.create_table(
        "messages",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=998), nullable=True),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=True),
        sa.Column("from_address", sa.String(length=320), nullable=True),
        sa.Column("provider", sa.String(length=40), nullable=True),
        sa.Column("provider_message_id", sa.String(length=255), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sent_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_messages_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_messages_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_messages_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_messages_provider_provider_message_id"),
            ["provider", "provider_message_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_messages_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_messages_workspace_id_contact_id_created_at"),
            ["workspace_id", "contact_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_messages_workspace_id_conversation_id_created_at"),
            ["workspace_id", "conversation_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "sandbox_messages",
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("from_address", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=998), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column(
            "headers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "events",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_sandbox_messages_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_sandbox_messages_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_messages")),
    )
    with op.batch_alter_table("sandbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sandbox_messages_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sandbox_messages_workspace_id_created_at"),
            ["workspace_id", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("sandbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_messages_workspace_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_sandbox_messages_workspace_id"))

    op.drop_table("sandbox_messages")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_workspace_id_conversation_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_messages_workspace_id_contact_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_messages_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_messages_provider_provider_message_id"))

    op.drop_table("messages")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_workspace_id_last_message_at"))
        batch_op.drop_index(batch_op.f("ix_conversations_workspace_id_contact_id_channel"))
        batch_op.drop_index(batch_op.f("ix_conversations_workspace_id_company_id"))
        batch_op.drop_index(batch_op.f("ix_conversations_workspace_id"))

    op.drop_table("conversations")
    with op.batch_alter_table("twilio_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_twilio_accounts_workspace_id"))

    op.drop_table("twilio_accounts")
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_entries_workspace_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_credit_entries_workspace_id"))

    op.drop_table("credit_entries")
    with op.batch_alter_table("credit_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_accounts_workspace_id"))

    op.drop_table("credit_accounts")
    with op.batch_alter_table("banned_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_banned_contacts_workspace_id_phone"))
        batch_op.drop_index(batch_op.f("ix_banned_contacts_workspace_id_email"))
        batch_op.drop_index(batch_op.f("ix_banned_contacts_workspace_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_banned_contacts_workspace_id"))

    op.drop_table("banned_contacts")
    op.drop_table("credit_weights")
