"""A campaign's messages stand apart from conversations and the timeline's rows: a campaign
opens no conversation and moves none up the inbox (messages.conversation_id is NULL for its
messages, which the contact's conversation on the channel still shows), and writes no timeline
row (the timeline reads its messages). The (workspace_id, conversation_id, created_at) index
leaves the campaign messages out, and the timeline rows earlier sends wrote go: the timeline now
shows those messages from the messages themselves. Earlier campaign messages keep the
conversation they were given (their threads show them once either way).

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
# The timeline rows copying a campaign's message, found by the message id their metadata names
# (SQLite keeps a UUID as 32 hex digits, the metadata as the hyphenated text).
COPIES = {
    "postgresql": """
        DELETE FROM interactions AS copy USING messages AS message
        WHERE copy.type IN ('email_sent', 'sms_sent', 'whatsapp_sent')
          AND message.campaign_id IS NOT NULL
          AND copy.workspace_id = message.workspace_id
          AND copy.metadata ->> 'messageId' = CAST(message.id AS TEXT)
    """,
    "sqlite": """
        DELETE FROM interactions
        WHERE type IN ('email_sent', 'sms_sent', 'whatsapp_sent')
          AND EXISTS (
              SELECT 1 FROM messages AS message
              WHERE message.id = replace(json_extract(interactions.metadata, '$.messageId'), '-', '')
                AND message.workspace_id = interactions.workspace_id
                AND message.campaign_id IS NOT NULL
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
    # Lossy: the campaign messages sent since this revision have no conversation to go back to
    # and go (their recipients' rows keep a message_id naming nothing), and the timeline rows
    # the upgrade dropped are not written again, so the earlier code's timelines show no
    # campaign sends. Campaign messages sent before it kept their conversation and stay.
    op.execute(sa.text("DELETE FROM messages WHERE conversation_id IS NULL"))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.alter_column("conversation_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_index(INDEX, COLUMNS)
