"""The filter AST compiled to one SQLAlchemy WHERE clause over the contacts table.

Tags become an EXISTS over contact_tags whose tag ids are resolved once by an uncorrelated
subquery on tags, custom fields the JSON accessors of `dialect.py`, company fields an EXISTS
on the linked company. The clause is run by the database; callers add the workspace filter,
order and paging. Shapes are kept to what the planner handles well: a negated EXISTS stays a
bare NOT EXISTS (an anti-join), and date custom fields compare the stored text to a range
(see `_day_range`) rather than a computed day.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true, tuple_

from kindred.companies.models import Company
from kindred.contacts.models import Contact, ContactTag, Tag
from kindred.core.filters.ast import (
    MAX_CASE_VARIANTS,
    NEGATIONS,
    TIME_SYNONYMS,
    Condition,
    FieldKind,
    Group,
    Moment,
    Operator,
    Scalar,
    case_variants,
)
from kindred.core.filters.dialect import Expr, JsonSql, json_sql
from kindred.core.filters.fields import SEARCHABLE_COLUMNS

COMPARISONS: dict[Operator, Callable[[Any, Any], Any]] = {
    Operator.EQ: operator.eq,
    Operator.GT: operator.gt,
    Operator.LT: operator.lt,
    Operator.GTE: operator.ge,
    Operator.LTE: operator.le,
}


def compile_filter(
    group: Group, dialect: str, now: datetime, *, workspace_id: uuid.UUID | None
) -> ColumnElement[bool]:
    """The WHERE clause selecting the contacts the filter accepts (dialect: sqlite|postgresql).
    `workspace_id`: the workspace the caller scopes the contacts to, whose tags alone the
    filter's tag names are looked up among (by the unique index on its folded names); None
    for a platform-wide count."""
    json = json_sql(dialect, Contact.custom_fields.expression)
    return _Compiler(json, now, workspace_id).group(group)


class _Compiler:
    def __init__(self, json: JsonSql, now: datetime, workspace_id: uuid.UUID | None) -> None:
        self.json = json
        self.now = now
        self.workspace_id = workspace_id

    def group(self, group: Group) -> ColumnElement[bool]:
        if not group.conditions:
            return true()
        parts = [self.node(node) for node in group.conditions]
        return and_(*parts) if group.match == "all" else or_(*parts)

    def node(self, node: Condition | Group) -> ColumnElement[bool]:
        return self.group(node) if isinstance(node, Group) else self.condition(node)

    def condition(self, condition: Condition) -> ColumnElement[bool]:
        positive = NEGATIONS.get(condition.operator)
        if positive is None:
            return self.positive(condition, condition.operator)
        clause = self.positive(condition, positive)
        if condition.field.kind is FieldKind.TAGS or condition.field.source == "company":
            return not_(clause)  # an EXISTS, never NULL: NOT EXISTS plans as an anti-join
        # NULL (unset) must turn into true under the negation, hence the coalesce.
        return not_(func.coalesce(clause, false()))

    def positive(self, condition: Condition, op: Operator) -> ColumnElement[bool]:
        predicate = self.predicate(condition, op)
        if condition.field.source != "company":
            return predicate
        # An EXISTS on the linked company (a semi-join), false when there is none.
        return exists().where(
            Company.id == Contact.company_id,
            Company.workspace_id == Contact.workspace_id,
            predicate,
        )

    def predicate(self, condition: Condition, op: Operator) -> ColumnElement[bool]:
        field = condition.field
        if field.kind in (FieldKind.TAGS, FieldKind.MULTISELECT):
            return self.collection(condition, op)
        if op is Operator.IS_SET:
            return self.is_set(condition)
        if field.kind is FieldKind.DATE:
            return self.day(field.name, op, condition.value)
        value = self.value_expr(condition)
        if field.kind is FieldKind.TEXT:
            return self.text(condition, value, op)
        if op is Operator.IN:
            values = [self.scalar(item, field.kind) for item in _items(condition.value)]
            return cast(ColumnElement[bool], value.in_(values))
        comparison = COMPARISONS[TIME_SYNONYMS.get(op, op)]
        bound = self.scalar(condition.value, field.kind)
        return cast(ColumnElement[bool], comparison(value, bound))

    def text(self, condition: Condition, value: Expr, op: Operator) -> ColumnElement[bool]:
        wanted = condition.value
        if op in (Operator.EQ, Operator.IN):
            variants = case_variants([str(item) for item in _items(wanted)], MAX_CASE_VARIANTS)
            # The stored spellings that fold to a wanted value: the bare column keeps its
            # statistics (a company's industry is estimated from its MCVs, not guessed).
            if variants is not None:
                return self.json.one_of(value, variants)
        folded = self.json.fold(value)
        if op is Operator.CONTAINS:
            return and_(self.indexed(condition), folded.contains(wanted, autoescape=True))
        if op is Operator.STARTS_WITH:
            return and_(self.indexed(condition), folded.startswith(wanted, autoescape=True))
        if op is Operator.IN:
            return folded.in_(_items(wanted))
        return folded == wanted

    def indexed(self, condition: Condition) -> ColumnElement[bool]:
        """An index-served superset for a substring or prefix of a searchable column, or true."""
        field = condition.field
        if field.source != "column" or field.name not in SEARCHABLE_COLUMNS:
            return true()
        if not isinstance(condition.value, str):
            return true()
        hint = self.json.indexed_contains(Contact.search_text.expression, condition.value)
        return true() if hint is None else hint

    def day(self, key: str, op: Operator, value: Any) -> ColumnElement[bool]:
        """A date custom field's day compared as a range over its stored text (sargable)."""
        raw, is_day = self.json.iso_day(key)
        low, high = _day_range(TIME_SYNONYMS.get(op, op), self.scalar(value, FieldKind.DATE))
        bounds = [raw >= low] if low is not None else []
        bounds += [raw < high] if high is not None else []
        # The bounds first: the regex then runs only on the rows inside the range.
        return and_(*bounds, is_day)

    def scalar(self, value: Any, kind: FieldKind) -> Any:
        """Times resolved against `now`: a day string for date fields, else a datetime."""
        if not isinstance(value, Moment):
            return value
        return value.day(self.now) if kind is FieldKind.DATE else value.resolve(self.now)

    def value_expr(self, condition: Condition) -> Expr:
        field = condition.field
        if field.source == "custom":
            return self.custom(field.name, field.kind)
        return cast(Expr, getattr(Contact if field.source == "column" else Company, field.name))

    def custom(self, key: str, kind: FieldKind) -> Expr:
        accessors = {
            FieldKind.TEXT: self.json.text,
            FieldKind.NUMBER: self.json.number,
            FieldKind.BOOLEAN: self.json.boolean,
        }
        return accessors[kind](key)

    def is_set(self, condition: Condition) -> ColumnElement[bool]:
        field = condition.field
        if field.source == "custom":
            return self.json.is_set(field.name)
        value = self.value_expr(condition)
        if field.kind is FieldKind.TEXT:
            return and_(value.is_not(None), value != "")
        return value.is_not(None)

    def collection(self, condition: Condition, op: Operator) -> ColumnElement[bool]:
        """has / in / is_set on tags or a multiselect custom field."""
        wanted = [str(name) for name in _items(condition.value)]
        if condition.field.kind is FieldKind.TAGS:
            names = wanted if op is not Operator.IS_SET else None
            return _tagged(self.json.fold(Tag.name.expression), names, self.workspace_id)
        if op is Operator.IS_SET:
            return self.json.is_set(condition.field.name)
        return self.json.has_element(condition.field.name, wanted)


def _items(value: Any) -> Sequence[Scalar]:
    """The values of an `in` (a tuple), or the one value of another operator."""
    if value is None:
        return ()
    return cast(Sequence[Scalar], value) if isinstance(value, tuple) else (value,)


def _day_range(op: Operator, day: str) -> tuple[str | None, str | None]:
    """[low, high) bounds on a text t starting with a day such that `t[:10] op day` holds.

    For such a t and any 10-character c, `t[:10] >= c` iff `t >= c` (compared by code point),
    so each comparison of the day is one of the text; `after` the day starts at its successor.
    """
    successor = day[:-1] + chr(ord(day[-1]) + 1)
    ranges = {
        Operator.EQ: (day, successor),
        Operator.GT: (successor, None),
        Operator.GTE: (day, None),
        Operator.LT: (None, day),
        Operator.LTE: (None, successor),
    }
    return ranges[op]


def _tagged(
    folded_name: Expr, names: list[str] | None, workspace_id: uuid.UUID | None
) -> ColumnElement[bool]:
    """EXISTS a tag link of the contact (whose tag is one of `names`, when given).

    The named tags are an uncorrelated IN subquery, so the database resolves their ids once
    (a hashed semi-join) instead of joining tags for every contact.
    """
    link = exists().where(
        ContactTag.workspace_id == Contact.workspace_id, ContactTag.contact_id == Contact.id
    )
    if names is None:
        return link
    named = select(Tag.workspace_id, Tag.id).where(folded_name.in_(names))
    if workspace_id is not None:
        named = named.where(Tag.workspace_id == workspace_id)
    return link.where(tuple_(ContactTag.workspace_id, ContactTag.tag_id).in_(named))
