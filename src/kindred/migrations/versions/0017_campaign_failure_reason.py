"""campaigns.failure_reason: why a FAILED campaign failed (its scheduled start could not
happen, or a batch could not be sent after every retry), shown as `failureReason`.

Revision ID: 0017_campaign_failure_reason
Revises: 0016_timeline_subject_length
Create Date: 2026-11-24 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_campaign_failure_reason"
down_revision: str | Sequence[str] | None = "0016_timeline_subject_length"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("failure_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("failure_reason")
