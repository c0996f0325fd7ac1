"""Contact list and search latency through the HTTP API beside the same query in hand SQL.

    python -m bench.contacts_search [--contacts 1000000] [--requests 200] [--database-url URL]

Generates `--contacts` contacts in one workspace and a tenth as many in another with one
set-based INSERT … SELECT each (PostgreSQL generate_series, SQLite a recursive CTE), one tag
per contact (five tags, 20% each), then times `GET /api/contacts` (httpx against the ASGI
app, an API key) for the first page of a name, an email and a phone fragment and of a tag
filter, and the hand-written SQL that returns the same page, total and page tags.
Prints p50/p95 of each and their ratio (targets on PostgreSQL: p95 < 50 ms, ratio <= 3).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.common import (
    SignedIn,
    Stopwatch,
    base_parser,
    fresh_database,
    percentiles,
    running_app,
    sign_up,
)
from kindred.core.db.session import Database

SYLLABLES = ["ka", "lo", "mi", "ren", "dor", "sa", "vi", "tan", "bel", "or", "quin", "zed"]
SYLLABLES += ["ma", "rio", "ste", "phan", "el", "gar", "nu", "ty", "hol", "wes", "brook", "ley"]
TAGS = ["customer", "lead", "vip", "partner", "churned"]
PAGE = 20

# Dialect-specific spellings of the generator's expressions.
SERIES = {
    "postgresql": "SELECT i FROM generate_series(1, :n) AS s(i)",
    "sqlite": "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) "
    "SELECT i FROM s",
}
NEW_ID = {"postgresql": "gen_random_uuid()", "sqlite": "lower(hex(randomblob(16)))"}
PADDED = {"postgresql": "lpad(i::text, 7, '0')", "sqlite": "substr('0000000' || i, -7)"}
CREATED = {
    "postgresql": "now() - make_interval(secs => i)",
    "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || i || ' seconds')",
}


def names(count: int, syllables: int, rng: random.Random) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        found.add("".join(rng.choice(SYLLABLES) for _ in range(syllables)).title())
    return sorted(found)


async def _lookup_tables(connection: AsyncConnection, workspace: uuid.UUID) -> None:
    rng = random.Random(11)
    firsts, lasts = names(200, 2, rng), names(1000, 3, rng)
    for table, values in (("bench_first", firsts), ("bench_last", lasts)):
        await connection.execute(text(f"CREATE TABLE {table} (n integer, name text)"))
        await connection.execute(
            text(f"INSERT INTO {table} VALUES (:n, :name)"),
            [{"n": n, "name": name} for n, name in enumerate(values)],
        )
    await connection.execute(text("CREATE TABLE bench_tag (digit text, tag_id text)"))


def _contact_insert(dialect: str, workspace_sql: str) -> str:
    return (
        "INSERT INTO contacts (id, workspace_id, first_name, last_name, email, phone, company,"
        " is_primary, custom_fields, source, globally_unsubscribed, communication_preferences,"
        " total_tasks_run, created_at, updated_at) "
        f"SELECT {NEW_ID[dialect]}, {workspace_sql}, f.name, l.name,"
        " 'user' || i || '@mail' || (i % 50) || '.example.com',"
        f" '+1415' || {PADDED[dialect]}, l.name || ' Inc', false, '{{}}', 'import', false,"
        f" '{{}}', 0, {CREATED[dialect]}, {CREATED[dialect]} "
        f"FROM ({SERIES[dialect]}) AS seq "
        "JOIN bench_first f ON f.n = i % 200 JOIN bench_last l ON l.n = (i / 200) % 1000"
    )


async def generate(engine: AsyncEngine, workspace: uuid.UUID, count: int) -> None:
    """Fills a workspace with `count` tagged contacts, one tag each."""
    dialect = engine.dialect.name
    workspace_sql = f"'{workspace}'" if dialect == "postgresql" else f"'{workspace.hex}'"
    async with engine.begin() as connection:
        if dialect == "postgresql":
            await connection.execute(text("SET LOCAL statement_timeout = 0"))
        if not (await connection.execute(text("SELECT count(*) FROM tags"))).scalar():
            await _lookup_tables(connection, workspace)
        await connection.execute(text("DELETE FROM bench_tag"))
        tag_ids = {}
        for name in TAGS:
            tag_id = uuid.uuid4()
            tag_ids[name] = tag_id
            stored = str(tag_id) if dialect == "postgresql" else tag_id.hex
            await connection.execute(
                text(
                    "INSERT INTO tags (id, workspace_id, name, created_at, updated_at) "
                    f"VALUES (:id, {workspace_sql}, :name, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                ),
                {"id": stored, "name": name},
            )
        await connection.execute(
            text("INSERT INTO bench_tag VALUES (:digit, :tag)"),
            [
                {
                    "digit": str(d),
                    "tag": str(tag_ids[TAGS[d % 5]])
                    if dialect == "postgresql"
                    else tag_ids[TAGS[d % 5]].hex,
                }
                for d in range(10)
            ],
        )
        await connection.execute(text(_contact_insert(dialect, workspace_sql)), {"n": count})
        cast = "::uuid" if dialect == "postgresql" else ""
        await connection.execute(
            text(
                "INSERT INTO contact_tags (workspace_id, contact_id, tag_id) "
                f"SELECT c.workspace_id, c.id, b.tag_id{cast} FROM contacts c "
                "JOIN bench_tag b ON b.digit = substr(c.phone, length(c.phone), 1) "
                f"WHERE c.workspace_id = {workspace_sql}"
            )
        )


TRIGRAM_INDEX = "ix_contacts_search_text_trgm"


@asynccontextmanager
async def trigram_index_built_after(engine: AsyncEngine) -> AsyncIterator[None]:
    """PostgreSQL: drop the trigram index while generating, build it once at the end (as a
    restore does: one sorted build instead of a million GIN insertions)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP INDEX {TRIGRAM_INDEX}"))
    yield
    async with engine.begin() as connection:
        await connection.execute(text("SET LOCAL statement_timeout = 0"))
        await connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        await connection.execute(
            text(f"CREATE INDEX {TRIGRAM_INDEX} ON contacts USING gin (search_text gin_trgm_ops)")
        )


async def analyse(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        await autocommit.execute(text(statement))


@dataclass(frozen=True)
class Scenario:
    """One measured list: its API query and the hand-written SQL that answers it."""

    label: str
    query: dict[str, str]
    condition: str
    params: dict[str, Any]
    # The count a person would write: over contacts, or over the links for a tag filter.
    count: str = "SELECT count(*) FROM contacts c WHERE c.workspace_id = :ws AND {condition}"


class HandSql:
    """The list route's work written by hand: page, exact total, the page's tags."""

    def __init__(self, engine: AsyncEngine, workspace: uuid.UUID) -> None:
        self.engine = engine
        self.params = {"ws": workspace if engine.dialect.name == "postgresql" else workspace.hex}

    async def run(self, scenario: Scenario) -> int:
        bound = self.params | scenario.params
        async with self.engine.connect() as connection:
            page = await connection.execute(
                text(
                    "SELECT c.* FROM contacts c WHERE c.workspace_id = :ws AND "
                    f"{scenario.condition} ORDER BY c.created_at DESC, c.id DESC LIMIT {PAGE}"
                ),
                bound,
            )
            ids = [row.id for row in page]
            total = await connection.scalar(
                text(scenario.count.format(condition=scenario.condition)), bound
            )
            if ids:
                marks = ", ".join(f":id{n}" for n in range(len(ids)))
                await connection.execute(
                    text(
                        "SELECT ct.contact_id, t.* FROM contact_tags ct "
                        "JOIN tags t ON t.id = ct.tag_id WHERE ct.workspace_id = :ws "
                        f"AND ct.contact_id IN ({marks}) ORDER BY t.name"
                    ),
                    self.params | {f"id{n}": cid for n, cid in enumerate(ids)},
                )
        return int(total or 0)


async def timed(call: Callable[[], Awaitable[int]], requests: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, total of the last call) over `requests` calls after 5 warm-ups."""
    for _ in range(5):
        await call()
    samples, total = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        total = await call()
        samples.append((time.perf_counter() - started) * 1000)
    p50, p95 = percentiles(samples)
    return p50, p95, total


async def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    async with (
        fresh_database(args.database_url, args.keep) as settings,
        running_app(settings) as app,
    ):
        database: Database = app.state.database
        big, small = await sign_up(app, "Big"), await sign_up(app, "Small")
        with Stopwatch() as watch:
            async with trigram_index_built_after(database.engine):
                await generate(database.engine, big.workspace_id, args.contacts)
                await generate(database.engine, small.workspace_id, args.contacts // 10)
            await analyse(database.engine)
        print(
            f"generated {args.contacts} + {args.contacts // 10} contacts in {watch.seconds:.1f} s"
        )
        await compare(database.engine, big, args.requests)


def scenarios() -> list[Scenario]:
    """The four measured lists: name, email and phone fragments, and a tag filter."""
    fragment = names(1000, 3, random.Random(11))[17][1:6].lower()
    tagged = (
        "EXISTS (SELECT 1 FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
        "WHERE ct.workspace_id = :ws AND t.workspace_id = :ws AND t.name = :tag "
        "AND ct.contact_id = c.id)"
    )
    tag_count = (
        "SELECT count(*) FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
        "WHERE ct.workspace_id = :ws AND t.workspace_id = :ws AND t.name = :tag"
    )
    return [
        Scenario("name", {"search": fragment}, "c.search_text LIKE :a", {"a": f"%{fragment}%"}),
        Scenario("email", {"search": "user12345"}, "c.search_text LIKE :a", {"a": "%user12345%"}),
        Scenario(
            "phone",
            {"search": "415-000-1"},
            "(c.search_text LIKE :a OR c.search_text LIKE :b)",
            {"a": "%415-000-1%", "b": "%4150001%"},
        ),
        Scenario("tag", {"tags": "vip"}, tagged, {"tag": "vip"}, count=tag_count),
    ]


async def compare(engine: AsyncEngine, big: SignedIn, requests: int) -> None:
    hand = HandSql(engine, big.workspace_id)
    print(
        f"{'query':6} {'total':>7} {'api p50':>8} {'api p95':>8} {'sql p50':>8} {'sql p95':>8}"
        f" {'p95 ratio':>9}"
    )
    for scenario in scenarios():

        async def api(query: dict[str, str] = scenario.query) -> int:
            response = await big.client.get("/api/contacts", params=query)
            response.raise_for_status()
            return int(response.json()["total"])

        async def sql(scenario: Scenario = scenario) -> int:
            return await hand.run(scenario)

        api_p50, api_p95, api_total = await timed(api, requests)
        sql_p50, sql_p95, sql_total = await timed(sql, requests)
        assert api_total == sql_total, (scenario.label, api_total, sql_total)
        print(
            f"{scenario.label:6} {api_total:7d} {api_p50:8.1f} {api_p95:8.1f} {sql_p50:8.1f}"
            f" {sql_p95:8.1f} {api_p95 / sql_p95:9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
