"""workflows.activated_at: when a workflow was created or last set ACTIVE again; it answers only
events that occurred since, so a reactivated workflow does not run for what happened while it
was INACTIVE. Existing workflows take their creation time (what they were compared with so far).

Revision ID: 0018_workflow_activated_at
Revises: 0017_campaign_failure_reason
Create Date: 2026-11-24 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kindred.core.db.types

revision: str = "0018_workflow_activated_at"
down_revision: str | Sequence[str] | None = "0017_campaign_failure_reason"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = kindred.core.db.types.UTCDateTime(timezone=True)
    op.add_column("workflows", sa.Column("activated_at", moment, nullable=True))
    op.execute(sa.text("UPDATE workflows SET activated_at = created_at"))
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.alter_column("activated_at", existing_type=moment, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.drop_column("activated_at")
