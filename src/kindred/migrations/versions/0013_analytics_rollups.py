"""analytics rollups: contacts per day and deal totals kept by triggers; funnel re-entries

The overview read a million contacts and every deal per request. `contact_daily_counts`
(contacts per UTC day of creation) and `deal_totals` (deals, value and value x probability
per stage, open or not, and month of expected close) are rollups (`kindred.core.db.rollup`)
kept exact by triggers on `contacts` and `deals`, so that every write path counts: the ORM,
the import's COPY, cascades and hand-written SQL. PostgreSQL triggers append delta rows
(statement-level with transition tables for inserts and deletes, row-level for the updates
of the columns a rollup keys on); SQLite triggers add to the one compacted row per key. A
workspace being deleted takes its rollup rows with it: the delete triggers skip it.

SQLite drops a table's triggers when a batch migration recreates the table: a later
migration that recreates `contacts` or `deals` there must create these triggers again
(`tests/analytics/test_rollups.py` fails otherwise).

`deal_stage_changes.previous_entry_at` (when the deal last entered the same stage) lets the
funnel count the deals entering a stage in a window without de-duplicating (deal, stage)
pairs; its funnel index covers it instead of deal_id. The overview no longer reads open deals
by close date: their index (0009) goes.

Revision ID: 0013_analytics_rollups
Revises: 0012_campaign_headers
"""

# ruff: noqa: S608  (the SQL below is built from this file's constants only, never from input)
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op

import kindred.core.db.types

revision: str = "0013_analytics_rollups"
down_revision: str | Sequence[str] | None = "0012_campaign_headers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUP_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CENTS = sa.Numeric(precision=38, scale=0)


@dataclass(frozen=True)
class Spec:
    """A rollup of `source`: key and sum expressions of one `{row}` on each database."""

    source: str
    rollup: str
    keys: dict[str, tuple[str, str]]  # column: (PostgreSQL, SQLite)
    sums: dict[str, tuple[str, str]]
    watched: tuple[str, ...]  # the source columns the keys and sums read

    def columns(self) -> str:
        return ", ".join([*self.keys, *self.sums, "compacted"])

    def exprs(self, which: dict[str, tuple[str, str]], dialect: int, row: str) -> list[str]:
        return [pair[dialect].format(row=row) for pair in which.values()]


CONTACTS = Spec(
    source="contacts",
    rollup="contact_daily_counts",
    keys={
        "workspace_id": ("{row}.workspace_id", "{row}.workspace_id"),
        "day": ("({row}.created_at AT TIME ZONE 'UTC')::date", "date({row}.created_at)"),
    },
    sums={"contacts": ("1", "1")},
    watched=("workspace_id", "created_at"),
)
DEALS = Spec(
    source="deals",
    rollup="deal_totals",
    keys={
        "workspace_id": ("{row}.workspace_id", "{row}.workspace_id"),
        "stage_id": ("{row}.stage_id", "{row}.stage_id"),
        "is_open": ("{row}.is_open", "{row}.is_open"),
        "close_month": (
            "coalesce(to_char({row}.expected_close_date AT TIME ZONE 'UTC', 'YYYY-MM'), '')",
            "coalesce(strftime('%Y-%m', {row}.expected_close_date), '')",
        ),
    },
    sums={
        "deals": ("1", "1"),
        "value_cents": ("round({row}.value * 100)", "CAST(round({row}.value * 100) AS INTEGER)"),
        "weighted_cents": (
            "round({row}.value * 100) * {row}.probability",
            "CAST(round({row}.value * 100) AS INTEGER) * {row}.probability",
        ),
    },
    watched=("workspace_id", "stage_id", "is_open", "expected_close_date", "value", "probability"),
)
PG, SQLITE = 0, 1


def _postgres_triggers(spec: Spec) -> list[str]:
    def grouped(transition: str, sign: str, where: str) -> str:
        keys = spec.exprs(spec.keys, PG, "r")
        sums = [f"sum({sign}{expr})" for expr in spec.exprs(spec.sums, PG, "r")]
        positions = ", ".join(str(n) for n in range(1, len(keys) + 1))
        return (
            f"INSERT INTO {spec.rollup} ({spec.columns()}) "
            f"SELECT {', '.join([*keys, *sums])}, false FROM {transition} r {where} "
            f"GROUP BY {positions}"
        )

    def values(row: str, sign: str) -> str:
        sums = [f"{sign}({expr})" for expr in spec.exprs(spec.sums, PG, row)]
        return f"({', '.join([*spec.exprs(spec.keys, PG, row), *sums])}, false)"

    bodies = {
        "added": grouped("added", "", ""),
        # A workspace being deleted: its rollup rows go by cascade, add none referring to it.
        "removed": grouped("removed", "-", "WHERE r.workspace_id IN (SELECT id FROM workspaces)"),
        "changed": f"INSERT INTO {spec.rollup} ({spec.columns()}) "
        f"VALUES {values('OLD', '-')}, {values('NEW', '')}",
    }
    statements = [
        f"CREATE FUNCTION {spec.rollup}_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body}; RETURN NULL; END $$"
        for name, body in bodies.items()
    ]
    old = ", ".join(f"OLD.{column}" for column in spec.watched)
    new = ", ".join(f"NEW.{column}" for column in spec.watched)
    return [
        *statements,
        f"CREATE TRIGGER {spec.rollup}_added AFTER INSERT ON {spec.source} "
        f"REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {spec.rollup}_added()",
        f"CREATE TRIGGER {spec.rollup}_removed AFTER DELETE ON {spec.source} "
        f"REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {spec.rollup}_removed()",
        f"CREATE TRIGGER {spec.rollup}_changed AFTER UPDATE OF {', '.join(spec.watched)} "
        f"ON {spec.source} FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) "
        f"EXECUTE FUNCTION {spec.rollup}_changed()",
    ]


def _sqlite_triggers(spec: Spec) -> list[str]:
    keys = ", ".join(spec.keys)
    added = ", ".join(f"{name} = {name} + excluded.{name}" for name in spec.sums)

    def add(row: str) -> str:
        exprs = [*spec.exprs(spec.keys, SQLITE, row), *spec.exprs(spec.sums, SQLITE, row)]
        return (
            f"INSERT INTO {spec.rollup} ({spec.columns()}) VALUES ({', '.join(exprs)}, 1) "
            f"ON CONFLICT ({keys}) WHERE compacted DO UPDATE SET {added};"
        )

    def subtract(row: str) -> str:
        sums = spec.exprs(spec.sums, SQLITE, row)
        changes = ", ".join(
            f"{name} = {name} - ({expr})" for name, expr in zip(spec.sums, sums, strict=True)
        )
        match = " AND ".join(
            f"{name} = {expr}"
            for name, expr in zip(spec.keys, spec.exprs(spec.keys, SQLITE, row), strict=True)
        )
        return f"UPDATE {spec.rollup} SET {changes} WHERE {match} AND compacted;"

    moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in spec.watched)
    return [
        f"CREATE TRIGGER {spec.rollup}_added AFTER INSERT ON {spec.source} BEGIN {add('NEW')} END",
        f"CREATE TRIGGER {spec.rollup}_removed AFTER DELETE ON {spec.source} "
        f"BEGIN {subtract('OLD')} END",
        f"CREATE TRIGGER {spec.rollup}_changed AFTER UPDATE OF {', '.join(spec.watched)} "
        f"ON {spec.source} WHEN {moved} BEGIN {subtract('OLD')} {add('NEW')} END",
    ]


def _backfill(spec: Spec, dialect: int) -> str:
    keys = spec.exprs(spec.keys, dialect, "s")
    sums = [f"sum({expr})" for expr in spec.exprs(spec.sums, dialect, "s")]
    positions = ", ".join(str(n) for n in range(1, len(keys) + 1))
    return (
        f"INSERT INTO {spec.rollup} ({spec.columns()}) "
        f"SELECT {', '.join([*keys, *sums])}, {'true' if dialect == PG else '1'} "
        f"FROM {spec.source} s GROUP BY {positions}"
    )


def _rollup_table(name: str, *columns: sa.Column[object], keys: list[str]) -> None:
    op.create_table(
        name,
        *columns,
        sa.Column("id", ROLLUP_ID, autoincrement=True, nullable=False),
        sa.Column("compacted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f(f"fk_{name}_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_workspace_id"), ["workspace_id"])
        batch_op.create_index(
            f"uq_{name}_compacted",
            ["workspace_id", *keys],
            unique=True,
            postgresql_where=sa.text("compacted"),
            sqlite_where=sa.text("compacted"),
        )
        batch_op.create_index(
            f"ix_{name}_deltas",
            ["id"],
            postgresql_where=sa.text("NOT compacted"),
            sqlite_where=sa.text("NOT compacted"),
        )


# The deal's latest earlier entry into the same stage (ties broken by id, as history is read).
PREVIOUS_ENTRY = """(
    SELECT max(p.changed_at) FROM deal_stage_changes p
    WHERE p.workspace_id = deal_stage_changes.workspace_id
      AND p.deal_id = deal_stage_changes.deal_id
      AND p.to_stage = deal_stage_changes.to_stage
      AND (p.changed_at < deal_stage_changes.changed_at
           OR (p.changed_at = deal_stage_changes.changed_at AND p.id < deal_stage_changes.id))
)"""
# Only the re-entries: rewriting every history row would leave as many dead ones behind.
BACKFILL_PREVIOUS_ENTRY = (
    f"UPDATE deal_stage_changes SET previous_entry_at = {PREVIOUS_ENTRY} "
    f"WHERE {PREVIOUS_ENTRY} IS NOT NULL"
)


def upgrade() -> None:
    dialect = PG if op.get_bind().dialect.name == "postgresql" else SQLITE
    _rollup_table(
        "contact_daily_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("contacts", sa.BigInteger(), nullable=False),
        keys=["day"],
    )
    _rollup_table(
        "deal_totals",
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("close_month", sa.String(length=7), nullable=False),
        sa.Column("deals", sa.BigInteger(), nullable=False),
        sa.Column("value_cents", CENTS, nullable=False),
        sa.Column("weighted_cents", CENTS, nullable=False),
        keys=["stage_id", "is_open", "close_month"],
    )
    # Triggers first, then the backfill, in one transaction: on PostgreSQL CREATE TRIGGER
    # holds off writers of the source table until the commit, so none is counted twice or
    # missed.
    for spec in (CONTACTS, DEALS):
        triggers = _postgres_triggers(spec) if dialect == PG else _sqlite_triggers(spec)
        for statement in triggers:
            op.execute(statement)
        op.execute(_backfill(spec, dialect))

    with op.batch_alter_table("deal_stage_changes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "previous_entry_at",
                kindred.core.db.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    op.execute(BACKFILL_PREVIOUS_ENTRY)
    if dialect == PG:
        op.drop_index("ix_deals_open_by_close_date", table_name="deals")
        op.drop_index("ix_deal_stage_changes_funnel", table_name="deal_stage_changes")
        op.create_index(
            "ix_deal_stage_changes_funnel",
            "deal_stage_changes",
            ["workspace_id", "changed_at"],
            postgresql_include=["to_stage", "previous_entry_at"],
        )


def downgrade() -> None:
    dialect = PG if op.get_bind().dialect.name == "postgresql" else SQLITE
    if dialect == PG:
        op.drop_index("ix_deal_stage_changes_funnel", table_name="deal_stage_changes")
        op.create_index(
            "ix_deal_stage_changes_funnel",
            "deal_stage_changes",
            ["workspace_id", "changed_at"],
            postgresql_include=["to_stage", "deal_id"],
        )
        op.create_index(
            "ix_deals_open_by_close_date",
            "deals",
            ["workspace_id", "expected_close_date"],
            postgresql_include=["value", "probability"],
            postgresql_where=sa.text("is_open IS TRUE"),
        )
    with op.batch_alter_table("deal_stage_changes", schema=None) as batch_op:
        batch_op.drop_column("previous_entry_at")
    for spec in (CONTACTS, DEALS):
        for event in ("added", "removed", "changed"):
            op.execute(
                f"DROP TRIGGER {spec.rollup}_{event}"
                + (f" ON {spec.source}" if dialect == PG else "")
            )
            if dialect == PG:
                op.execute(f"DROP FUNCTION {spec.rollup}_{event}()")
        op.drop_table(spec.rollup)
