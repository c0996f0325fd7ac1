"""campaigns.sending_since: when a campaign last went to SENDING (started, resumed, or sent
again after a failure). It names the current run of its send lanes: a lane job of an earlier
run ends, so a quick pause and resume never leaves more lanes than intended. Campaigns that
have started take their start time.

Revision ID: 0019_campaign_sending_since
Revises: 0018_workflow_activated_at
Create Date: 2026-11-23 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kindred.core.db.types

revision: str = "0019_campaign_sending_since"
down_revision: str | Sequence[str] | None = "0018_workflow_activated_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = kindred.core.db.types.UTCDateTime(timezone=True)
    op.add_column("campaigns", sa.Column("sending_since", moment, nullable=True))
    op.execute(sa.text("UPDATE campaigns SET sending_since = started_at"))


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("sending_since")
