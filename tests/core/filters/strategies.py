"""Hypothesis strategies for the agreement test: contacts with awkward values, and filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from kindred.core.filters.fields import COMPANY_COLUMNS, CONTACT_COLUMNS, OPERATORS
from kindred.core.filters.fields import FieldKind as Kind

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
DEFINITIONS = {
    "score": "number",
    "birthday": "date",
    "plan": "select",
    "interests": "multiselect",
    "active": "boolean",
    "note": "text",
    "site": "url",
}
KINDS = {"number": Kind.NUMBER, "date": Kind.DATE, "multiselect": Kind.MULTISELECT}
# "Enterprise" has more ASCII case variants than the compiler lists (its fallback path).
TAG_NAMES = ["VIP", "vip", "Lead", "Émile", "émile", "ß", "a_b", "100%", "Enterprise"]
# A workspace's tags: their names are unique ignoring ASCII case (filters still ask for `vip`).
WORKSPACE_TAGS = [name for name in TAG_NAMES if name != "vip"]
WORDS = [
    "Ann",
    "ann",
    "ANNA",
    "Émile",
    "ÉMILE",
    "straße",
    "ß",
    "a%b",
    "a_b",
    "O'Brien",
    " ann",
    "Zoë",
    "ENTERPRISE",
]
NUMBERS = [0, -0.0, 1, -1, 2.5, -2.5, 0.1, 3.14, 1e-3, 1e15, 2**31 - 1, -(2**31), 2**53 - 1]
DAYS = ["2025-06-15", "2025-06-14", "2025-05-16", "2024-02-29", "2025-13-45", "2025-06-15T23:59:59"]
DAYS_AGO = [0, 1, 7, 30, -1]

characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
words = st.sampled_from(WORDS) | st.text(characters, min_size=1, max_size=4)
texts = st.none() | st.just("") | words
numbers = st.sampled_from(NUMBERS) | st.integers(-3, 3)


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    """Times near NOW, often exactly on a `days_ago` boundary."""
    days = draw(st.sampled_from(DAYS_AGO) | st.integers(-40, 40))
    jitter = draw(st.sampled_from([0, 0, 1, -1]) | st.integers(-86_400_000_000, 86_400_000_000))
    return NOW - timedelta(days=days, microseconds=jitter)


json_scalars = st.none() | st.just("") | words | numbers | st.booleans() | st.sampled_from(DAYS)
json_values = json_scalars | st.lists(st.sampled_from(TAG_NAMES) | numbers, max_size=3)


def custom_fields() -> st.SearchStrategy[dict[str, Any]]:
    keys = [*DEFINITIONS, "loose"]
    return st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys))


@st.composite
def companies(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "name": draw(words),
        "industry": draw(texts),
        "deal_value": draw(st.none() | numbers.map(float)),
        "is_customer": draw(st.booleans()),
        "last_contact": draw(st.none() | moments()),
        "created_at": draw(moments()),
    }


@st.composite
def contacts(draw: st.DrawFn, company_count: int) -> dict[str, Any]:
    text_columns = [name for name, kind in CONTACT_COLUMNS.items() if kind is Kind.TEXT]
    contact: dict[str, Any] = dict.fromkeys(text_columns)
    for name in draw(st.lists(st.sampled_from(text_columns), max_size=4, unique=True)):
        contact[name] = draw(texts)
    created = draw(moments())
    contact |= {
        "source": draw(st.sampled_from(["manual", "import", "Manual"])),
        "is_primary": draw(st.booleans()),
        "globally_unsubscribed": draw(st.booleans()),
        "total_tasks_run": draw(st.integers(-2, 3) | st.just(2**31 - 1)),
        "created_at": created,
        "updated_at": draw(st.just(created) | moments()),
        "last_task_run": draw(st.none() | moments()),
        "custom_fields": draw(custom_fields()),
        "tags": draw(st.lists(st.sampled_from(WORKSPACE_TAGS), max_size=3, unique=True)),
        "company_index": draw(st.none() | st.integers(0, company_count - 1)),
    }
    return contact


@st.composite
def populations(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    company_rows = draw(st.lists(companies(), min_size=1, max_size=3))
    people = draw(st.lists(contacts(len(company_rows)), min_size=1, max_size=12))
    return _unique_keys(people), company_rows


def _unique_keys(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Emails and CRM ids are unique per workspace: later duplicates are cleared."""
    seen: set[Any] = set()
    for person in people:
        for field, key in (
            ("email", person["email"]),
            ("crm_id", (person["crm_source"], person["crm_id"])),
        ):
            if key in seen:
                person[field] = None
            seen.add(key)
    return people


def _fields() -> list[tuple[str, Kind]]:
    custom = [(f"customFields.{k}", KINDS.get(t, _kind(t))) for k, t in DEFINITIONS.items()]
    company = [(f"company.{name}", kind) for name, kind in COMPANY_COLUMNS.items()]
    return [
        *CONTACT_COLUMNS.items(),
        *custom,
        *company,
        ("customFields.loose", Kind.TEXT),
        ("tags", Kind.TAGS),
    ]


def _kind(field_type: str) -> Kind:
    return Kind.BOOLEAN if field_type == "boolean" else Kind.TEXT


FIELDS = _fields()
VALUES: dict[Kind, st.SearchStrategy[Any]] = {
    Kind.TEXT: words,
    Kind.NUMBER: numbers,
    Kind.BOOLEAN: st.booleans(),
    Kind.DATE: st.sampled_from(DAYS[:4]) | st.builds(dict, days_ago=st.sampled_from(DAYS_AGO)),
    Kind.DATETIME: st.builds(dict, days_ago=st.sampled_from(DAYS_AGO))
    | moments().map(datetime.isoformat),
    Kind.MULTISELECT: st.sampled_from(TAG_NAMES),
    Kind.TAGS: st.sampled_from(TAG_NAMES) | words,
}


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    field, kind = draw(st.sampled_from(FIELDS))
    names = [*sorted(OPERATORS[kind]), "is_empty", "is_not_empty"]
    operator = draw(st.sampled_from(names))
    values = VALUES[kind]
    value = draw(st.lists(values, min_size=1, max_size=3) if operator == "in" else values)
    return {"field": field, "operator": operator, "value": value}


def _group(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"match": st.sampled_from(["all", "any"]), "conditions": st.lists(children, max_size=3)}
    )


filters = _group(st.recursive(conditions(), _group, max_leaves=6))
