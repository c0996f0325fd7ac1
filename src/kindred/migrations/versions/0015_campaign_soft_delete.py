"""campaigns.deleted_at: a campaign deleted after sending started is kept (hidden), so that the
unsubscribe and click links of the emails it already sent keep working.

Revision ID: 0015_campaign_soft_delete
Revises: 0014_campaign_send_path
Create Date: 2026-11-23 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kindred.core.db.types

revision: str = "0015_campaign_soft_delete"
down_revision: str | Sequence[str] | None = "0014_campaign_send_path"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "campaigns",
        sa.Column("deleted_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
