"""The filter AST applied to one contact in memory (for triggers such as "tag added").

It mirrors `compiler.py` rule for rule: the same unset rule, the same ASCII folding, numbers
as doubles, date fields as their `YYYY-MM-DD` day, custom values of the wrong JSON type never
satisfying a comparison.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kindred.core.filters.ast import (
    NEGATIONS,
    TIME_SYNONYMS,
    Condition,
    FieldKind,
    Group,
    Moment,
    Operator,
    fold,
)
from kindred.core.filters.fields import COMPANY_COLUMNS, CONTACT_COLUMNS

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
COMPARISONS: dict[Operator, Callable[[Any, Any], bool]] = {
    Operator.EQ: operator.eq,
    Operator.GT: operator.gt,
    Operator.LT: operator.lt,
    Operator.GTE: operator.ge,
    Operator.LTE: operator.le,
}


@dataclass(frozen=True)
class Subject:
    """What a filter can see of one contact: its columns, custom fields, tags and company."""

    columns: Mapping[str, Any]
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    tags: Collection[str] = ()
    company: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, contact: Any, tags: Collection[str] = (), company: Any = None) -> Subject:
        """From an ORM contact or a snake_case dict, its tag names and its company (or None)."""
        columns = _read(contact, CONTACT_COLUMNS)
        custom = dict(_get(contact, "custom_fields") or {})
        return cls(
            columns, custom, tuple(tags), _read(company, COMPANY_COLUMNS) if company else None
        )


def _get(source: Any, name: str) -> Any:
    return source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)


def _read(source: Any, names: Collection[str]) -> dict[str, Any]:
    return {name: _get(source, name) for name in names}


def evaluate(group: Group, subject: Subject, now: datetime) -> bool:
    """True when the contact matches the filter (the compiled SQL would select it)."""
    return _Evaluator(subject, now).group(group)


class _Evaluator:
    def __init__(self, subject: Subject, now: datetime) -> None:
        self.subject = subject
        self.now = now

    def group(self, group: Group) -> bool:
        results = (self.node(node) for node in group.conditions)
        if not group.conditions:
            return True
        return all(results) if group.match == "all" else any(results)

    def node(self, node: Condition | Group) -> bool:
        return self.group(node) if isinstance(node, Group) else self.condition(node)

    def condition(self, condition: Condition) -> bool:
        positive = NEGATIONS.get(condition.operator)
        if positive is None:
            return self.positive(condition, condition.operator)
        return not self.positive(condition, positive)

    def raw(self, condition: Condition) -> Any:
        ref = condition.field
        if ref.source == "tags":
            return [fold(name) for name in self.subject.tags]
        if ref.source == "custom":
            return self.subject.custom_fields.get(ref.name)
        if ref.source == "company":
            company = self.subject.company
            return None if company is None else company.get(ref.name)
        return self.subject.columns.get(ref.name)

    def positive(self, condition: Condition, op: Operator) -> bool:
        raw = self.raw(condition)
        if op is Operator.IS_SET:
            return _is_set(raw)
        kind = condition.field.kind
        if kind in (FieldKind.TAGS, FieldKind.MULTISELECT):
            elements = (
                {fold(item) for item in raw if isinstance(item, str)}
                if isinstance(raw, list)
                else set()
            )
            wanted = condition.value if isinstance(condition.value, tuple) else (condition.value,)
            return any(item in elements for item in wanted)
        value = _typed(kind, raw)
        if value is None:
            return False
        if kind is FieldKind.TEXT:
            return _text(fold(value), op, condition.value)
        if op is Operator.IN:
            assert isinstance(condition.value, tuple)
            return any(value == self.scalar(item, kind) for item in condition.value)
        comparison = COMPARISONS[TIME_SYNONYMS.get(op, op)]
        return comparison(value, self.scalar(condition.value, kind))

    def scalar(self, value: Any, kind: FieldKind) -> Any:
        if not isinstance(value, Moment):
            return value
        return value.day(self.now) if kind is FieldKind.DATE else value.resolve(self.now)


def _is_set(raw: Any) -> bool:
    return raw is not None and not (isinstance(raw, str | list) and len(raw) == 0)


def _typed(kind: FieldKind, raw: Any) -> Any:
    """The value as its kind compares it, or None when unset or of another type."""
    if kind is FieldKind.TEXT:
        return raw if isinstance(raw, str) else None
    if kind is FieldKind.NUMBER:
        numeric = isinstance(raw, int | float) and not isinstance(raw, bool)
        return float(raw) if numeric else None
    if kind is FieldKind.BOOLEAN:
        return raw if isinstance(raw, bool) else None
    if kind is FieldKind.DATE:
        return raw[:10] if isinstance(raw, str) and ISO_DAY.match(raw) else None
    return raw if isinstance(raw, datetime) else None


def _text(folded: str, op: Operator, value: Any) -> bool:
    if op is Operator.CONTAINS:
        return value in folded
    if op is Operator.STARTS_WITH:
        return bool(folded.startswith(value))
    if op is Operator.IN:
        return folded in value
    return bool(folded == value)
