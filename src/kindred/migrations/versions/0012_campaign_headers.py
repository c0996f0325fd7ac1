"""campaign headers: outbound messages keep their extra email headers (List-Unsubscribe),
campaign recipients their delivery time (deliveredCount)

Revision ID: 0012_campaign_headers
Revises: 0011_automations
Create Date: 2026-11-23 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import kindred.core.db.types

revision: str = "0012_campaign_headers"
down_revision: str | Sequence[str] | None = "0011_automations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "headers",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
                nullable=True,
            )
        )
    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "delivered_at", kindred.core.db.types.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        batch_op.drop_column("delivered_at")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("headers")
