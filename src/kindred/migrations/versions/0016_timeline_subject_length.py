"""interactions.subject holds a message's whole subject (998 characters, as messages and
campaigns allow): a message's timeline entry copies it, and at 500 every send of a longer
subject failed on PostgreSQL.

Revision ID: 0016_timeline_subject_length
Revises: 0015_campaign_soft_delete
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_timeline_subject_length"
down_revision: str | Sequence[str] | None = "0015_campaign_soft_delete"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.alter_column(
            "subject",
            existing_type=sa.String(length=500),
            type_=sa.String(length=998),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.alter_column(
            "subject",
            existing_type=sa.String(length=998),
            type_=sa.String(length=500),
            existing_nullable=True,
        )
