"""Rollup tables: sums of another table kept exact by database triggers, compacted later.

A rollup table has key columns, sum columns and a `compacted` flag; its figure for a key is
the sum of every row with that key, compacted or not. The triggers live in the migration
that creates the table, so every write path (ORM, bulk COPY, cascades, hand-written SQL)
keeps it exact in its own transaction.

PostgreSQL triggers append delta rows (`compacted` false), one per key and statement, and
never update a row: an upsert on one row per key would lock it until the writer commits,
queueing every other writer of that key (the day's contacts of a workspace) behind the
longest transaction, such as an import. `compact` folds the deltas into one compacted row
per key (unique among compacted rows) in one statement. SQLite has one writer at a time,
so its triggers add to the compacted row directly and there is nothing to compact.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    Table,
    delete,
    false,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db.dialect import is_postgres


class RollupMixin:
    """A rollup row's id (SQLite: the rowid, so that triggers need not make one) and flag."""

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    compacted: Mapped[bool] = mapped_column(default=False, server_default=false())


def rollup_indexes(table: str, *keys: str) -> tuple[Index, Index]:
    """A rollup table's indexes: its compacted rows unique by workspace and `keys`, and its
    delta rows by id, which `compact` reads."""
    return (
        Index(
            f"uq_{table}_compacted",
            "workspace_id",
            *keys,
            unique=True,
            postgresql_where=text("compacted"),
            sqlite_where=text("compacted"),
        ),
        Index(
            f"ix_{table}_deltas",
            "id",
            postgresql_where=text("NOT compacted"),
            sqlite_where=text("NOT compacted"),
        ),
    )


@dataclass(frozen=True)
class Rollup:
    """A rollup table, its key columns (those of its unique compacted index) and its sums."""

    table: Table
    keys: tuple[str, ...]
    sums: tuple[str, ...]


async def compact(session: AsyncSession, rollup: Rollup) -> int:
    """Folds the delta rows into the compacted ones; the number of keys touched.

    One statement: the deltas it deletes are exactly those it adds, so a delta committed
    meanwhile is left for the next run and a concurrent run skips what this one took.
    """
    if not is_postgres(session):
        return 0
    table = rollup.table
    deltas = (
        delete(table)
        .where(~table.c.compacted)
        .returning(*(table.c[name] for name in rollup.keys + rollup.sums))
        .cte("deltas")
    )
    keys = [deltas.c[name] for name in rollup.keys]
    totals = (
        select(*keys, *(func.sum(deltas.c[name]) for name in rollup.sums), literal(True))
        .group_by(*keys)
        .order_by(*keys)  # rows locked in one order, whoever else compacts at the same time
    )
    upsert = postgresql.insert(table).from_select([*rollup.keys, *rollup.sums, "compacted"], totals)
    upsert = upsert.on_conflict_do_update(
        index_elements=[table.c[name] for name in rollup.keys],
        index_where=table.c.compacted,
        set_={name: table.c[name] + upsert.excluded[name] for name in rollup.sums},
    )
    result = await session.execute(upsert)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
