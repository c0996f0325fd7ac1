"""A campaign's messages stand apart from conversations and the timeline's rows: a campaign
opens no conversation and moves none up the inbox (messages.conversation_id is NULL for its
messages, which the contact's conversation on the channel still shows), and writes no timeline
row (the timeline reads its messages). The (workspace_id, conversation_id, created_at) index
leaves the campaign messages out, and the timeline rows earlier sends wrote go: the timeline now
shows those messages from the messages themselves.

Revision ID: 0021_campaign_messages_apart
Revises: 0020_tag_names_fold_case
Create Date: 2026-11-24 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_campaign_messages_apart"
down_revision: str | Sequence[str] | None = "0020_tag_names_fold_case"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_messages_workspace_id_conversation_id_created_at"
COLUMNS = ["workspace_id", "conversation_id", "created_at"]
IN_A_CONVERSATION = sa.text("conversation_id IS NOT NULL")
SENT_TYPES = "('email_sent', 'sms_sent', 'whatsapp_sent')"
# The timeline rows copying a campaign's message, found by the message id their metadata names
# (SQLite keeps a UUID as 32 hex digits, the metadata as the hyphenated text).
COPIES = {
    "postgresql": f"""
        DELETE FROM interactions AS copy USING messages AS message
        WHERE copy.type IN {SENT_TYPES} AND message.campaign_id IS NOT NULL
          AND copy.workspace_id = message.workspace_id
          AND copy.metadata ->> 'messageId' = CAST(message.id AS TEXT)
    """,
    "sqlite": f"""
        DELETE FROM interactions
        WHERE type IN {SENT_TYPES}
          AND replace(json_extract(metadata, '$.messageId'), '-', '') IN (
              SELECT id FROM messages WHERE campaign_id IS NOT NULL
          )
    """,
}


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.alter_column("conversation_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(
            INDEX, COLUMNS, postgresql_where=IN_A_CONVERSATION, sqlite_where=IN_A_CONVERSATION
        )
    op.execute(sa.text(COPIES[op.get_bind().dialect.name]))


def downgrade() -> None:
    # A campaign's messages have no conversation to go back to: they go (and with them their
    # place on the timeline, which no row copies any more).
    op.execute(sa.text("DELETE FROM messages WHERE conversation_id IS NULL"))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.alter_column("conversation_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_index(INDEX, COLUMNS)
