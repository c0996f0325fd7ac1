"""The filter language: parsing, validation errors with their paths, and each operator on each
field kind (through the evaluator; the agreement test holds the SQL compiler to the same)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kindred.core.filters import InvalidFilter, Subject, evaluate, parse_filter
from kindred.core.filters.ast import case_variants, fold
from kindred.core.filters.fields import FieldRegistry

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
REGISTRY = FieldRegistry(
    {"score": "number", "born": "date", "likes": "multiselect", "vip": "boolean"}
)
CONTACT = {
    "first_name": "Émile",
    "last_name": "",
    "email": "Ada@Example.com",
    "is_primary": True,
    "total_tasks_run": 3,
    "created_at": NOW - timedelta(days=10),
    "last_task_run": None,
    "custom_fields": {
        "score": 42,
        "born": "1990-05-01",
        "likes": ["Jazz", "Go"],
        "vip": False,
        "city": "Paris",
        "misfit": "abc",
    },
}
COMPANY = {"name": "Acme", "deal_value": 1000.0, "is_customer": True}


def matches(field: str, operator: str, value: Any = None, *, company: Any = COMPANY) -> bool:
    group = parse_filter(
        {"match": "all", "conditions": [{"field": field, "operator": operator, "value": value}]},
        REGISTRY,
    )
    return evaluate(group, Subject.of(CONTACT, ["VIP", "Lead"], company), NOW)


def problems(raw: Any) -> list[dict[str, str]]:
    with pytest.raises(InvalidFilter) as caught:
        parse_filter(raw, REGISTRY)
    assert caught.value.status == 400
    return list(caught.value.details)


@pytest.mark.parametrize(
    ("field", "operator", "value", "expected"),
    [
        ("email", "eq", "ada@example.COM", True),
        ("email", "neq", "ada@example.com", False),
        ("email", "contains", "EXAMPLE", True),
        ("email", "not_contains", "zzz", True),
        ("email", "starts_with", "ADA@", True),
        ("email", "in", ["x@y.z", "ada@example.com"], True),
        ("firstName", "eq", "ÉMILE", True),
        ("firstName", "eq", "émile", False),  # only ASCII letters fold
        ("last_name", "is_set", None, False),  # "" is unset
        ("lastName", "is_empty", None, True),
        ("lastName", "neq", "x", True),
        ("lastName", "not_contains", "x", True),
        ("lastName", "contains", "x", False),
        ("totalTasksRun", "gt", 2, True),
        ("totalTasksRun", "lte", "3", True),
        ("isPrimary", "eq", True, True),
        ("isPrimary", "neq", "true", False),
        ("createdAt", "after", {"days_ago": 30}, True),
        ("createdAt", "before", {"days_ago": 30}, False),
        ("createdAt", "gte", "2025-06-05T12:00:00Z", True),
        ("lastTaskRun", "is_not_set", None, True),
        ("lastTaskRun", "after", {"days_ago": 30}, False),
    ],
)
def test_core_field_operators(field: str, operator: str, value: Any, expected: bool) -> None:
    assert matches(field, operator, value) is expected


@pytest.mark.parametrize(
    ("field", "operator", "value", "expected"),
    [
        ("customFields.score", "gte", 42, True),
        ("customFields.score", "lt", 42, False),
        ("customFields.score", "in", [1, 42], True),
        ("customFields.born", "before", "1990-05-02", True),
        ("customFields.born", "eq", "1990-05-01T23:00:00", True),
        ("customFields.born", "after", {"days_ago": 1}, False),
        ("customFields.likes", "has", "jazz", True),
        ("customFields.likes", "not_has", "Rock", True),
        ("customFields.likes", "in", ["rock", "go"], True),
        ("customFields.vip", "eq", False, True),
        ("customFields.city", "starts_with", "par", True),
        ("customFields.missing", "is_not_set", None, True),
        ("customFields.missing", "neq", "x", True),
        ("customFields.missing", "eq", "x", False),
    ],
)
def test_custom_field_operators(field: str, operator: str, value: Any, expected: bool) -> None:
    assert matches(field, operator, value) is expected


def test_a_value_of_another_type_is_set_but_never_compares() -> None:
    registry = FieldRegistry({"misfit": "number"})
    group = parse_filter(
        {"conditions": [{"field": "customFields.misfit", "operator": "gt", "value": 0}]}, registry
    )
    assert evaluate(group, Subject.of(CONTACT), NOW) is False
    group = parse_filter(
        {"conditions": [{"field": "customFields.misfit", "operator": "is_set"}]}, registry
    )
    assert evaluate(group, Subject.of(CONTACT), NOW) is True


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("has", "vip", True),
        ("not_has", "lead", False),
        ("in", ["x", "LEAD"], True),
        ("is_not_set", None, False),
    ],
)
def test_tag_operators_ignore_case(operator: str, value: Any, expected: bool) -> None:
    assert matches("tags", operator, value) is expected


def test_company_fields_read_the_linked_company_and_are_unset_without_one() -> None:
    assert matches("company.name", "eq", "acme") is True
    assert matches("company.dealValue", "gt", 500) is True
    assert matches("company.name", "eq", "acme", company=None) is False
    assert matches("company.name", "neq", "acme", company=None) is True


def test_groups_nest_and_an_empty_group_matches_everything() -> None:
    raw = {
        "match": "any",
        "conditions": [
            {"field": "email", "operator": "eq", "value": "nobody@x.y"},
            {
                "match": "all",
                "conditions": [
                    {"field": "tags", "operator": "has", "value": "VIP"},
                    {"field": "customFields.score", "operator": "gt", "value": 40},
                ],
            },
        ],
    }
    assert evaluate(parse_filter(raw, REGISTRY), Subject.of(CONTACT, ["vip"]), NOW) is True
    assert evaluate(parse_filter({"match": "any", "conditions": []}), Subject.of({}), NOW) is True


def test_errors_name_the_offending_conditions_by_path() -> None:
    raw = {
        "match": "all",
        "conditions": [
            {"field": "email", "operator": "eq", "value": "a"},
            {"field": "nope", "operator": "eq", "value": "a"},
            {
                "match": "any",
                "conditions": [
                    {"field": "tags", "operator": "gt", "value": 1},
                    {"field": "customFields.score", "operator": "gt", "value": "many"},
                ],
            },
        ],
    }
    assert [p["field"] for p in problems(raw)] == [
        "conditions[1]",
        "conditions[2].conditions[0]",
        "conditions[2].conditions[1]",
    ]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"field": "email", "operator": "eq", "value": 3}, "non-empty string"),
        ({"field": "email", "operator": "like", "value": "a"}, "not valid"),
        ({"field": "createdAt", "operator": "after", "value": "yesterday"}, "ISO date"),
        ({"field": "createdAt", "operator": "eq", "value": "2024-01-01"}, "not valid"),
        ({"field": "isPrimary", "operator": "eq", "value": "maybe"}, "true or false"),
        ({"field": "email", "operator": "in", "value": []}, "list"),
        ({"field": 'customFields.a"b', "operator": "eq", "value": "x"}, "Unknown field"),
    ],
)
def test_wrong_operators_and_values_are_refused(condition: dict[str, Any], message: str) -> None:
    found = problems({"conditions": [condition]})
    assert found[0]["field"] == "conditions[0]"
    assert message in found[0]["message"]


def test_nesting_deeper_than_five_levels_is_refused() -> None:
    raw: dict[str, Any] = {"match": "all", "conditions": []}
    innermost = raw
    for _ in range(5):
        child: dict[str, Any] = {"match": "all", "conditions": []}
        innermost["conditions"].append(child)
        innermost = child
    path = ".".join(["conditions[0]"] * 5)
    assert problems(raw) == [{"field": path, "message": "Groups nest at most 5 levels deep"}]


def test_more_than_a_hundred_conditions_are_refused() -> None:
    condition = {"field": "email", "operator": "is_set"}
    parse_filter({"conditions": [condition] * 100})
    assert problems({"conditions": [condition] * 101})[0]["field"] == "conditions[100]"


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"match": "all", "conditons": [{"field": "email", "operator": "is_set"}]}, "filter"),
        ({"bogus": 1}, "filter"),
        ({"conditions": [{"match": "any", "conditions": [], "extra": True}]}, "conditions[0]"),
    ],
)
def test_a_group_with_an_unknown_key_is_refused_rather_than_matching_everyone(
    raw: dict[str, Any], path: str
) -> None:
    found = problems(raw)
    assert [problem["field"] for problem in found] == [path]
    assert "Unknown key" in found[0]["message"]


def test_the_filter_must_be_an_object() -> None:
    assert problems(["not", "a", "filter"])[0]["field"] == "filter"


def test_case_variants_are_the_spellings_that_fold_to_the_values() -> None:
    variants = case_variants(["a1é", "b"], limit=8)
    assert variants is not None
    assert sorted(variants) == sorted(["a1é", "A1é", "b", "B"])
    assert {fold(variant) for variant in variants} == {"a1é", "b"}
    assert case_variants(["abcd"], limit=15) is None


def test_match_and_operators_are_taken_in_any_case() -> None:
    raw = {
        "match": "ANY",
        "conditions": [
            {"field": "email", "operator": "EQ", "value": "nobody@example.com"},
            {"field": "first_name", "operator": "Starts_With", "value": "ÉMI"},
        ],
    }
    group = parse_filter(raw, REGISTRY)
    assert group.match == "any"
    assert evaluate(group, Subject.of(CONTACT), NOW) is True
