"""Segment preview latency through the HTTP API beside the same count in hand-written SQL.

    python -m bench.segments_preview --database-url postgresql://postgres@127.0.0.1:5432/test \
        [--contacts 1000000] [--repeats 5] [--keep]
    python -m bench.segments_preview --reuse postgresql://postgres@127.0.0.1:5432/kindred_bench_…

PostgreSQL only (the target of the issue). Generates `--contacts` contacts in one workspace
with one INSERT … SELECT over generate_series: 20 custom fields (7 numbers, 4 dates, 5
selects, 2 booleans, 2 multiselects, all defined), two of 30 tags each, half of them linked
to one of 1,000 companies. Then, for 20 representative filters, times
`POST /api/segments/preview` (count + first 50, httpx against the ASGI app, an API key) and
the count written by hand in SQL, and prints p50 of each and their ratio. Generating a million
contacts takes minutes: `--keep` leaves the database behind and `--reuse <its url>` upgrades it
to the current migrations and measures it again without generating.
"""

from __future__ import annotations

# ruff: noqa: E501  (the scenario table reads best one scenario per line)
import asyncio
import contextlib
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import (
    SignedIn,
    base_parser,
    fresh_database,
    kept_database,
    running_app,
    sign_in,
    sign_up,
)
from kindred.core.db.session import Database
from kindred.settings import Settings

NUMBERS = [f"n{k}" for k in range(7)]
DATES = [f"d{k}" for k in range(4)]
SELECTS = [f"s{k}" for k in range(5)]
BOOLEANS = ["b0", "b1"]
MULTI = ["m0", "m1"]
OPTIONS = [f"opt{k}" for k in range(10)]
CUSTOM = ", ".join(
    [f"'{n}', (i * {k + 7}) % 1000" for k, n in enumerate(NUMBERS)]
    + [
        f"'{n}', to_char(date '2020-01-01' + (i * {k + 3}) % 2000, 'YYYY-MM-DD')"
        for k, n in enumerate(DATES)
    ]
    + [f"'{n}', 'opt' || (i * {k + 1}) % 10" for k, n in enumerate(SELECTS)]
    + [f"'{n}', (i + {k}) % 3 = 0" for k, n in enumerate(BOOLEANS)]
    + [f"'{n}', jsonb_build_array('opt' || i % 10, 'opt' || (i / 10) % 10)" for n in MULTI]
)
CONTACTS = (
    "INSERT INTO contacts (id, workspace_id, first_name, last_name, email, company_id,"
    " is_primary, custom_fields, source, globally_unsubscribed, communication_preferences,"
    " total_tasks_run, created_at, updated_at) "
    "SELECT gen_random_uuid(), :ws, 'name' || i % 1000, 'last' || i % 5000,"
    " 'user' || i || '@mail' || (i % 50) || '.example.com',"
    " CASE WHEN i % 2 = 0 THEN (SELECT id FROM companies WHERE position = i % 1000) END,"
    f" false, jsonb_build_object({CUSTOM}), 'import', i % 20 = 0, '{{}}', 0,"
    " now() - make_interval(mins => i % 600000), now() - make_interval(mins => i % 600000) "
    "FROM generate_series(1, :n) AS s(i)"
)
COMPANIES = (
    "INSERT INTO companies (id, workspace_id, name, industry, position, is_customer,"
    " created_at, updated_at) SELECT gen_random_uuid(), :ws, 'Company ' || i,"
    " 'industry' || i % 20, i, i % 4 = 0, now(), now() FROM generate_series(0, 999) AS s(i)"
)
TAGS = (
    "INSERT INTO tags (id, workspace_id, name, created_at, updated_at) "
    "SELECT gen_random_uuid(), :ws, 'tag' || i, now(), now() FROM generate_series(0, 29) s(i)"
)
LINKS = (
    "INSERT INTO contact_tags (workspace_id, contact_id, tag_id) "
    "SELECT c.workspace_id, c.id, t.id FROM contacts c JOIN tags t ON t.workspace_id = c.workspace_id"
    " AND t.name IN ('tag' || abs(hashtext(c.id::text)) % 30, 'tag' || abs(hashtext(c.email)) % 30)"
    " WHERE c.workspace_id = :ws ON CONFLICT DO NOTHING"
)


def cond(field: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


def every(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"match": "all", "conditions": list(conditions)}


def any_of(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"match": "any", "conditions": list(conditions)}


HAS_TAG = "EXISTS (SELECT 1 FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id AND ct.workspace_id = c.workspace_id AND t.name = '{}')"
NUM = "(c.custom_fields->>'{}')::float8"
# (label, filter, the hand-written condition over contacts c)
SCENARIOS: list[tuple[str, dict[str, Any], str]] = [
    ("email contains", every(cond("email", "contains", "@mail7.")), "c.email LIKE '%@mail7.%'"),
    ("firstName eq", every(cond("firstName", "eq", "name42")), "lower(c.first_name) = 'name42'"),
    (
        "firstName starts_with",
        every(cond("firstName", "starts_with", "name9")),
        "c.first_name LIKE 'name9%'",
    ),
    ("tag has", every(cond("tags", "has", "tag3")), HAS_TAG.format("tag3")),
    ("tag not_has", every(cond("tags", "not_has", "tag3")), "NOT " + HAS_TAG.format("tag3")),
    (
        "tag in two",
        every(cond("tags", "in", ["tag1", "tag2"])),
        f"({HAS_TAG.format('tag1')} OR {HAS_TAG.format('tag2')})",
    ),
    (
        "number range",
        every(cond("customFields.n0", "gte", 100), cond("customFields.n0", "lt", 200)),
        f"{NUM.format('n0')} >= 100 AND {NUM.format('n0')} < 200",
    ),
    ("number gt", every(cond("customFields.n1", "gt", 900)), f"{NUM.format('n1')} > 900"),
    (
        "date after",
        every(cond("customFields.d0", "after", "2024-06-01")),
        "c.custom_fields->>'d0' > '2024-06-01'",
    ),
    (
        "createdAt 30 days",
        every(cond("createdAt", "after", {"days_ago": 30})),
        "c.created_at > now() - interval '30 days'",
    ),
    (
        "createdAt > 1 year",
        every(cond("createdAt", "before", {"days_ago": 365})),
        "c.created_at < now() - interval '365 days'",
    ),
    ("select eq", every(cond("customFields.s0", "eq", "opt3")), "c.custom_fields->>'s0' = 'opt3'"),
    (
        "select in",
        every(cond("customFields.s1", "in", ["opt1", "opt2"])),
        "c.custom_fields->>'s1' IN ('opt1', 'opt2')",
    ),
    ("boolean eq", every(cond("customFields.b0", "eq", True)), "(c.custom_fields->>'b0')::boolean"),
    (
        "multiselect has",
        every(cond("customFields.m0", "has", "opt2")),
        "c.custom_fields->'m0' ? 'opt2'",
    ),
    (
        "company field",
        every(cond("company.industry", "eq", "industry4")),
        "EXISTS (SELECT 1 FROM companies co WHERE co.id = c.company_id AND co.industry = 'industry4')",
    ),
    (
        "unsubscribed and email",
        every(cond("globallyUnsubscribed", "eq", True), cond("email", "is_set")),
        "c.globally_unsubscribed AND c.email <> ''",
    ),
    (
        "any of five",
        any_of(
            cond("firstName", "eq", "name1"),
            cond("tags", "has", "tag5"),
            cond("customFields.n2", "lt", 10),
            cond("customFields.s2", "eq", "opt9"),
            cond("email", "contains", "@mail3."),
        ),
        f"lower(c.first_name) = 'name1' OR {HAS_TAG.format('tag5')} OR {NUM.format('n2')} < 10 OR c.custom_fields->>'s2' = 'opt9' OR c.email LIKE '%@mail3.%'",
    ),
    (
        "nested",
        every(
            cond("tags", "has", "tag7"),
            any_of(cond("customFields.n3", "lt", 50), cond("customFields.s3", "eq", "opt3")),
        ),
        f"{HAS_TAG.format('tag7')} AND ({NUM.format('n3')} < 50 OR c.custom_fields->>'s3' = 'opt3')",
    ),
    (
        "unset custom field",
        every(cond("customFields.nothing", "is_not_set")),
        "NOT (c.custom_fields ? 'nothing')",
    ),
]


async def generate(engine: AsyncEngine, workspace: uuid.UUID, count: int) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("SET LOCAL statement_timeout = 0"))
        for statement in (COMPANIES, TAGS, CONTACTS, LINKS):
            await connection.execute(text(statement), {"ws": workspace, "n": count})
        fields = [(n, "number") for n in NUMBERS] + [(n, "date") for n in DATES]
        fields += [(n, "select") for n in SELECTS] + [(n, "boolean") for n in BOOLEANS]
        fields += [(n, "multiselect") for n in MULTI]
        await connection.execute(
            text(
                "INSERT INTO field_definitions (id, workspace_id, name, label, field_type, options,"
                " sort_order, scope, created_at, updated_at) VALUES (gen_random_uuid(), :ws, :name,"
                " :name, :type, CAST(:options AS jsonb), 0, 'workspace', now(), now())"
            ),
            [
                {
                    "ws": workspace,
                    "name": n,
                    "type": t,
                    "options": '["' + '","'.join(OPTIONS) + '"]',
                }
                for n, t in fields
            ],
        )
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE"))


async def p50(repeats: int, call: Callable[[], Awaitable[int]]) -> tuple[float, int]:
    samples, result = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        result = await call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


async def measure(signed: SignedIn, engine: AsyncEngine, repeats: int) -> None:
    print(f"{'filter':26} {'api p50 ms':>11} {'sql p50 ms':>11} {'ratio':>6} {'count':>9}")
    for label, raw, condition in SCENARIOS:

        async def api(raw: dict[str, Any] = raw) -> int:
            response = await signed.client.post("/api/segments/preview", json={"filter": raw})
            response.raise_for_status()
            return int(response.json()["count"])

        async def hand(condition: str = condition) -> int:
            sql = f"SELECT count(*) FROM contacts c WHERE c.workspace_id = :ws AND ({condition})"
            async with engine.connect() as connection:
                return int(await connection.scalar(text(sql), {"ws": signed.workspace_id}) or 0)

        api_ms, api_count = await p50(repeats, api)
        sql_ms, sql_count = await p50(repeats, hand)
        flag = "" if api_count == sql_count else "  (counts differ!)"
        print(
            f"{label:26} {api_ms:11.1f} {sql_ms:11.1f} {api_ms / sql_ms:6.2f} {api_count:9}{flag}"
        )


async def seeded(app: Any, engine: AsyncEngine, args: Any) -> SignedIn:
    """The bench workspace: generated now, or found in the reused database."""
    if args.reuse:
        async with engine.connect() as connection:
            found = await connection.execute(
                text(
                    "SELECT m.workspace_id, u.id, u.email FROM field_definitions f"
                    " JOIN memberships m ON m.workspace_id = f.workspace_id"
                    " JOIN users u ON u.id = m.user_id WHERE f.name = 'n0' LIMIT 1"
                )
            )
            workspace_id, user_id, email = found.one()
        return await sign_in(app, email, workspace_id, user_id)
    signed = await sign_up(app, "Segments bench")
    started = time.perf_counter()
    await generate(engine, signed.workspace_id, args.contacts)
    print(f"generated {args.contacts:,} contacts in {time.perf_counter() - started:.0f} s")
    return signed


async def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reuse", help="the url of a database a --keep run left")
    args = parser.parse_args()
    if not (args.database_url or args.reuse):
        parser.error("--database-url (PostgreSQL) or --reuse is required")
    async with contextlib.AsyncExitStack() as stack:
        if args.reuse:
            settings: Settings = await kept_database(args.reuse)
        else:
            settings = await stack.enter_async_context(fresh_database(args.database_url, args.keep))
        app = await stack.enter_async_context(running_app(settings))
        engine = Database.from_settings(settings).engine
        signed = await seeded(app, engine, args)
        await measure(signed, engine, args.repeats)
        await signed.client.aclose()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
