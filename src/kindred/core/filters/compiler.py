"""The filter AST compiled to one SQLAlchemy WHERE clause over the contacts table.

Tags become an EXISTS over contact_tags and tags, custom fields the JSON accessors of
`dialect.py`, company fields an EXISTS on the linked company. The clause
is run by the database; callers add the workspace filter, order and paging.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, true

from kindred.companies.models import Company
from kindred.contacts.models import Contact, ContactTag, Tag
from kindred.core.filters.ast import (
    NEGATIONS,
    TIME_SYNONYMS,
    Condition,
    FieldKind,
    Group,
    Moment,
    Operator,
    Scalar,
)
from kindred.core.filters.dialect import Expr, JsonSql, json_sql

COMPARISONS: dict[Operator, Callable[[Any, Any], Any]] = {
    Operator.EQ: operator.eq,
    Operator.GT: operator.gt,
    Operator.LT: operator.lt,
    Operator.GTE: operator.ge,
    Operator.LTE: operator.le,
}


def compile_filter(group: Group, dialect: str, now: datetime) -> ColumnElement[bool]:
    """The WHERE clause selecting the contacts the filter accepts (dialect: sqlite|postgresql)."""
    return _Compiler(json_sql(dialect, Contact.custom_fields.expression), now).group(group)


class _Compiler:
    def __init__(self, json: JsonSql, now: datetime) -> None:
        self.json = json
        self.now = now

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
        # NULL (unset) must turn into true under the negation, hence the coalesce.
        return not_(func.coalesce(self.positive(condition, positive), false()))

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
        value = self.value_expr(condition)
        if field.kind is FieldKind.TEXT:
            return self.text(self.json.fold(value), op, condition.value)
        if op is Operator.IN:
            values = [self.scalar(item, field.kind) for item in _items(condition.value)]
            return cast(ColumnElement[bool], value.in_(values))
        comparison = COMPARISONS[TIME_SYNONYMS.get(op, op)]
        bound = self.scalar(condition.value, field.kind)
        return cast(ColumnElement[bool], comparison(value, bound))

    def text(self, folded: Expr, op: Operator, value: Any) -> ColumnElement[bool]:
        if op is Operator.CONTAINS:
            return folded.contains(value, autoescape=True)
        if op is Operator.STARTS_WITH:
            return folded.startswith(value, autoescape=True)
        if op is Operator.IN:
            return folded.in_(value)
        return cast(ColumnElement[bool], folded == value)

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
            FieldKind.DATE: self.json.day,
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
            return _tagged(
                self.json.fold(Tag.name.expression), wanted if op is not Operator.IS_SET else None
            )
        if op is Operator.IS_SET:
            return self.json.is_set(condition.field.name)
        return self.json.has_element(condition.field.name, wanted)


def _items(value: Any) -> Sequence[Scalar]:
    """The values of an `in` (a tuple), or the one value of another operator."""
    if value is None:
        return ()
    return cast(Sequence[Scalar], value) if isinstance(value, tuple) else (value,)


def _tagged(folded_name: Expr, names: list[str] | None) -> ColumnElement[bool]:
    """EXISTS a tag link of the contact (whose tag is one of `names`, when given)."""
    link = exists().where(
        ContactTag.workspace_id == Contact.workspace_id, ContactTag.contact_id == Contact.id
    )
    if names is None:
        return link
    return link.where(ContactTag.tag_id == Tag.id, folded_name.in_(names))
