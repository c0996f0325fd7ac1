"""indexes for the analytics overview (PostgreSQL): open deals by close date, stage funnel

Both are covering, so the overview's open-deal totals, forecast and stage funnel are
index-only scans: open deals by (workspace_id, expected_close_date) including value and
probability, partial on `is_open IS TRUE` (the spelling of the deals repository's filter, so
that PostgreSQL proves the predicate); stage history by (workspace_id, changed_at) including
to_stage and deal_id. SQLite keeps the 0006 indexes (its data sets are small).

Revision ID: 0009_analytics_indexes
Revises: 0008_messaging
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_analytics_indexes"
down_revision: str | Sequence[str] | None = "0008_messaging"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_deals_open_by_close_date",
            "deals",
            ["workspace_id", "expected_close_date"],
            postgresql_include=["value", "probability"],
            postgresql_where=sa.text("is_open IS TRUE"),
        )
        op.create_index(
            "ix_deal_stage_changes_funnel",
            "deal_stage_changes",
            ["workspace_id", "changed_at"],
            postgresql_include=["to_stage", "deal_id"],
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_deal_stage_changes_funnel", table_name="deal_stage_changes")
        op.drop_index("ix_deals_open_by_close_date", table_name="deals")
