"""tags: a name is unique in its workspace ignoring ASCII case, as the filters and tag lookups
fold it (SQLite `lower(name)`, PostgreSQL `lower(name COLLATE "C")`), so concurrent requests
can no longer make `VIP` and `vip`. Tags that already differ only in case are merged first
into the oldest (created_at, then id): the others' contacts move to it, then they go.

Revision ID: 0020_tag_names_fold_case
Revises: 0019_campaign_sending_since
Create Date: 2026-11-25 10:00:00.000000
"""

import itertools
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import kindred.core.db.types

revision: str = "0020_tag_names_fold_case"
down_revision: str | Sequence[str] | None = "0019_campaign_sending_since"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLDED_INDEX = "uq_tags_workspace_id_folded_name"

tags = sa.table(
    "tags",
    sa.column("id", sa.Uuid()),
    sa.column("workspace_id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("created_at", kindred.core.db.types.UTCDateTime(timezone=True)),
)
contact_tags = sa.table(
    "contact_tags",
    sa.column("workspace_id", sa.Uuid()),
    sa.column("contact_id", sa.Uuid()),
    sa.column("tag_id", sa.Uuid()),
)


def folded_name(dialect: str) -> sa.ColumnElement[Any]:
    """The filters' folding of a tag's name (core/filters/dialect.py `fold`): ASCII only."""
    name = tags.c.name
    return sa.func.lower(sa.collate(name, "C")) if dialect == "postgresql" else sa.func.lower(name)


def merge_case_duplicates(connection: sa.Connection) -> None:
    """Merges each workspace's tags whose names fold alike into the oldest of them."""
    folded = folded_name(connection.dialect.name)
    clashing = (
        sa.select(tags.c.workspace_id, folded.label("folded"))
        .group_by(tags.c.workspace_id, folded)
        .having(sa.func.count() > 1)
        .subquery()
    )
    rows = connection.execute(
        sa.select(tags.c.id, tags.c.workspace_id, folded.label("folded"))
        .join(
            clashing,
            sa.and_(clashing.c.workspace_id == tags.c.workspace_id, clashing.c.folded == folded),
        )
        .order_by(tags.c.workspace_id, folded, tags.c.created_at, tags.c.id)
    ).all()
    for _, group in itertools.groupby(rows, key=lambda row: (row.workspace_id, row.folded)):
        survivor, *others = (row.id for row in group)
        _merge_into(connection, survivor, others)


def _merge_into(connection: sa.Connection, survivor: uuid.UUID, others: list[uuid.UUID]) -> None:
    """Links the contacts of `others` to `survivor` (once each), then deletes `others`."""
    carrying_survivor = sa.select(contact_tags.c.contact_id).where(
        contact_tags.c.tag_id == survivor
    )
    moved = (
        sa.select(
            contact_tags.c.workspace_id,
            contact_tags.c.contact_id,
            sa.literal(survivor, sa.Uuid()),
        )
        .where(
            contact_tags.c.tag_id.in_(others),
            contact_tags.c.contact_id.not_in(carrying_survivor),
        )
        .distinct()
    )
    connection.execute(
        contact_tags.insert().from_select(["workspace_id", "contact_id", "tag_id"], moved)
    )
    connection.execute(contact_tags.delete().where(contact_tags.c.tag_id.in_(others)))
    connection.execute(tags.delete().where(tags.c.id.in_(others)))


def upgrade() -> None:
    connection = op.get_bind()
    merge_case_duplicates(connection)
    op.create_index(
        FOLDED_INDEX,
        "tags",
        [tags.c.workspace_id, folded_name(connection.dialect.name)],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index(FOLDED_INDEX, table_name="tags")
