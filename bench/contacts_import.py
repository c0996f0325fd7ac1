"""Contact import speed: CSV rows through the import service beside the database's bulk load.

    python -m bench.contacts_import [--rows 100000] [--duplicates 0.1] [--database-url URL]

A workspace is seeded with the contacts the duplicate rows repeat (untimed); then the same
CSV bytes are (1) parsed and bulk-loaded into a bare table by the database's own bulk path
(PostgreSQL COPY, SQLite executemany in one transaction), (1b) bulk-loaded the same way, as
finished rows without checks or tags, into the real `contacts` table of another workspace
(its indexes, trigram index and foreign keys: the floor any import into it pays), and
(2) imported through
`importer.read_csv` + `importer.import_rows`, the service `POST /api/contacts/import` calls,
in one unit of work, committed. Prints both rates and their ratio (target: at least 0.5).
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text

from bench.common import Stopwatch, base_parser, fresh_database, running_app, sign_up
from kindred.contacts import importer
from kindred.contacts.models import Contact
from kindred.core.db.session import Database

HEADER = ["First Name", "Last Name", "E-mail", "Phone", "Company", "Tags"]
BARE_COLUMNS = ["first_name", "last_name", "email", "phone", "company", "tags"]
FIRST = ["Ann", "Bob", "Carla", "Dmitri", "Eve", "Farah", "Gus", "Hana", "Ivo", "June"]
LAST = ["Smith", "Jones", "Okafor", "Novak", "Garcia", "Tanaka", "Muller", "Rossi"]


def person(number: int, company: str) -> list[str]:
    return [
        random.choice(FIRST),
        random.choice(LAST),
        f"person{number}@example.com",
        f"+1 (415) {200 + number // 10_000 % 800}-{number % 10_000:04d}",
        company,
        random.choice(["lead", "customer", "lead;vip", ""]),
    ]


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def dataset(total: int, duplicate_share: float) -> tuple[bytes, bytes]:
    """(seed CSV, import CSV): the import repeats every seeded email once, shuffled in."""
    duplicates = int(total * duplicate_share)
    seeded = [person(number, "Seed Co") for number in range(duplicates)]
    fresh = [person(number, "New Co") for number in range(duplicates, total)]
    repeated = [[*row[:4], "Updated Co", row[5]] for row in seeded]
    rows = fresh + repeated
    random.shuffle(rows)
    return csv_bytes(seeded), csv_bytes(rows)


FLOOR_COLUMNS = ["id", "workspace_id", "first_name", "last_name", "email", "phone", "company"]
FLOOR_COLUMNS += ["is_primary", "custom_fields", "source", "globally_unsubscribed"]
FLOOR_COLUMNS += ["communication_preferences", "total_tasks_run", "created_at", "updated_at"]


def csv_records(content: bytes) -> list[list[str]]:
    reader = csv.reader(io.StringIO(content.decode()))
    next(reader)
    return list(reader)


def floor_records(content: bytes, workspace: uuid.UUID, postgres: bool) -> list[tuple[Any, ...]]:
    """The CSV rows as finished contacts rows (no checks, no tags), in the driver's types."""
    now = datetime.now(UTC)
    moment: Any = now if postgres else now.replace(tzinfo=None).isoformat(" ")
    owner: Any = workspace if postgres else workspace.hex
    return [
        (
            uuid.uuid4() if postgres else uuid.uuid4().hex,
            owner,
            *row[:2],
            row[2].lower(),
            "+" + "".join(ch for ch in row[3] if ch.isdigit()),
            row[4],
            False,
            "{}",
            "import",
            False,
            "{}",
            0,
            moment,
            moment,
        )
        for row in csv_records(content)
    ]


async def bulk_load(
    database: Database, table: str, columns: list[str], records: list[tuple[Any, ...]]
) -> None:
    """The database's own bulk path: COPY on PostgreSQL, executemany on SQLite; committed."""
    async with database.session_scope() as session:
        connection = await session.connection()
        if connection.dialect.name == "postgresql":
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            await driver.copy_records_to_table(table, records=records, columns=columns)
        else:
            marks = ", ".join("?" for _ in columns)
            await connection.exec_driver_sql(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                records,
            )


async def bare_load(database: Database, content: bytes) -> None:
    """Parses the CSV and bulk-loads it into a bare table of text columns."""
    async with database.session_scope() as session:
        columns = ", ".join(f"{name} text" for name in BARE_COLUMNS)
        await session.execute(text(f"CREATE TABLE bench_bare ({columns})"))
    records = [tuple(row) for row in csv_records(content)]
    await bulk_load(database, "bench_bare", BARE_COLUMNS, records)


async def run_import(
    database: Database, workspace_id: uuid.UUID, user_id: uuid.UUID, content: bytes
) -> dict[str, Any]:
    async with database.session_scope() as session:
        rows = importer.read_csv(content)
        return await importer.import_rows(
            session, workspace_id, user_id, rows, importer.ImportOptions()
        )


async def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--duplicates", type=float, default=0.10)
    args = parser.parse_args()
    random.seed(7)
    seed, content = dataset(args.rows, args.duplicates)
    async with (
        fresh_database(args.database_url, args.keep) as settings,
        running_app(settings) as app,
    ):
        actor = await sign_up(app, "Import Bench")
        database: Database = app.state.database
        await run_import(database, actor.workspace_id, actor.user_id, seed)
        with Stopwatch() as bulk:
            await bare_load(database, content)
        other = await sign_up(app, "Floor Bench")
        postgres = database.engine.dialect.name == "postgresql"
        with Stopwatch() as floor:
            records = floor_records(content, other.workspace_id, postgres)
            await bulk_load(database, "contacts", FLOOR_COLUMNS, records)
        with Stopwatch() as imported:
            result = await run_import(database, actor.workspace_id, actor.user_id, content)
        async with database.session_scope() as session:
            stored = await session.scalar(
                select(func.count()).where(Contact.workspace_id == actor.workspace_id)
            )
    bulk_rate, import_rate = args.rows / bulk.seconds, args.rows / imported.seconds
    floor_rate = args.rows / floor.seconds
    print(f"rows: {args.rows} ({int(args.rows * args.duplicates)} duplicates of stored contacts)")
    print(f"bulk load (bare table):  {bulk.seconds:7.2f} s  {bulk_rate:10,.0f} rows/s")
    print(f"bulk load (contacts):    {floor.seconds:7.2f} s  {floor_rate:10,.0f} rows/s")
    print(f"import (service):        {imported.seconds:7.2f} s  {import_rate:10,.0f} rows/s")
    print(
        f"result: created={result['created']} updated={result['updated']} "
        f"failed={result['failed']}; contacts stored: {stored}"
    )
    print(f"import / bulk load (bare table): {import_rate / bulk_rate:.2f} (target >= 0.50)")
    print(f"import / bulk load (contacts):   {import_rate / floor_rate:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
