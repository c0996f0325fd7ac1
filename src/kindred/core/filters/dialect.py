"""SQL for the filter compiler where SQLite and PostgreSQL differ: JSON access and case folding.

Each accessor returns NULL unless the custom field holds a value of the expected JSON type,
so comparisons on an unset or mistyped value are never true (see the package doc). On
PostgreSQL every cast sits behind a CASE on `jsonb_typeof`, since the planner may evaluate
the parts of an AND in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    String,
    and_,
    case,
    cast,
    collate,
    exists,
    false,
    func,
    literal,
    literal_column,
    null,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB

Expr = ColumnElement[Any]
ISO_DAY_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"
ISO_DAY_REGEX = "^[0-9]{4}-[0-9]{2}-[0-9]{2}"


class JsonSql(Protocol):
    def fold(self, expr: Expr) -> Expr: ...
    def text(self, key: str) -> Expr: ...
    def number(self, key: str) -> Expr: ...
    def boolean(self, key: str) -> Expr: ...
    def day(self, key: str) -> Expr: ...
    def is_set(self, key: str) -> Expr: ...
    def has_element(self, key: str, folded: Sequence[str]) -> Expr: ...


class SqliteJson:
    """`json_type`/`json_extract` with a `$."key"` path; `lower()` folds ASCII only."""

    def __init__(self, column: Expr) -> None:
        self.column = column

    def _path(self, key: str) -> Expr:
        return literal(f'$."{key}"', String)

    def _type(self, key: str) -> Expr:
        return func.json_type(self.column, self._path(key))

    def _raw(self, key: str) -> Expr:
        return func.json_extract(self.column, self._path(key))

    def fold(self, expr: Expr) -> Expr:
        return func.lower(expr)

    def text(self, key: str) -> Expr:
        return case((self._type(key) == "text", self._raw(key)), else_=null())

    def number(self, key: str) -> Expr:
        numeric = self._type(key).in_(("integer", "real"))
        return case((numeric, cast(self._raw(key), Float)), else_=null())

    def boolean(self, key: str) -> Expr:
        kind = self._type(key)
        return case((kind == "true", true()), (kind == "false", false()), else_=null())

    def day(self, key: str) -> Expr:
        text = self.text(key)
        return case((text.op("GLOB")(ISO_DAY_GLOB), func.substr(text, 1, 10)), else_=null())

    def is_set(self, key: str) -> Expr:
        kind = self._type(key)
        return case(
            (kind == "text", self._raw(key) != ""),
            (kind == "array", func.json_array_length(self.column, self._path(key)) > 0),
            else_=func.coalesce(kind, "null") != "null",
        )

    def has_element(self, key: str, folded: Sequence[str]) -> Expr:
        items = func.json_each(self.column, self._path(key)).table_valued("value", "type")
        found = exists(
            select(1)
            .select_from(items)
            .where(items.c.type == "text", self.fold(items.c.value).in_(folded))
        )
        return and_(self._type(key) == "array", found)


class PostgresJson:
    """`->`/`->>` on jsonb; `lower(… COLLATE "C")` folds ASCII only, whatever the locale."""

    def __init__(self, column: Expr) -> None:
        self.column = column

    def _node(self, key: str) -> Expr:
        return self.column.op("->", return_type=JSONB)(literal(key, String))

    def _type(self, key: str) -> Expr:
        return func.jsonb_typeof(self._node(key))

    def _raw(self, key: str) -> Expr:
        return self.column.op("->>", return_type=String)(literal(key, String))

    def fold(self, expr: Expr) -> Expr:
        return func.lower(collate(expr, "C"))

    def text(self, key: str) -> Expr:
        return case((self._type(key) == "string", self._raw(key)), else_=null())

    def number(self, key: str) -> Expr:
        return case((self._type(key) == "number", cast(self._raw(key), Float)), else_=null())

    def boolean(self, key: str) -> Expr:
        return case((self._type(key) == "boolean", cast(self._raw(key), Boolean)), else_=null())

    def day(self, key: str) -> Expr:
        text = self.text(key)
        return case((text.op("~")(ISO_DAY_REGEX), func.substr(text, 1, 10)), else_=null())

    def is_set(self, key: str) -> Expr:
        kind = self._type(key)
        return case(
            (kind == "string", self._raw(key) != ""),
            (kind == "array", func.jsonb_array_length(self._node(key)) > 0),
            else_=func.coalesce(kind, "null") != "null",
        )

    def has_element(self, key: str, folded: Sequence[str]) -> Expr:
        array = case(
            (self._type(key) == "array", self._node(key)), else_=cast(literal("[]"), JSONB)
        )
        items = func.jsonb_array_elements(array).table_valued("value")
        text = items.c.value.op("#>>", return_type=String)(literal_column("'{}'"))
        return exists(
            select(1)
            .select_from(items)
            .where(func.jsonb_typeof(items.c.value) == "string", self.fold(text).in_(folded))
        )


def json_sql(dialect: str, column: Expr) -> JsonSql:
    return PostgresJson(column) if dialect == "postgresql" else SqliteJson(column)
