"""SQL for the filter compiler where SQLite and PostgreSQL differ: JSON access and case folding.

Each accessor returns NULL unless the custom field holds a value of the expected JSON type,
so comparisons on an unset or mistyped value are never true (see the package doc). On
PostgreSQL every cast sits behind a CASE on `jsonb_typeof`, since the planner may evaluate
the parts of an AND in any order.

Where a value has few ASCII case variants (exactly the strings that fold to it, see
`ast.case_variants`), text `eq`/`in` compare the bare value with them (`one_of`) and, on
PostgreSQL, a multiselect `has` becomes jsonb `?|` over them; a PostgreSQL substring of a
searchable contact column is first looked up in the trigram-indexed `search_text`
(`indexed_contains`). Each costs what the hand-written query costs.
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from kindred.core.filters.ast import MAX_CASE_VARIANTS, case_variants

Expr = ColumnElement[Any]
ISO_DAY_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"
ISO_DAY_REGEX = "^[0-9]{4}-[0-9]{2}-[0-9]{2}"
# pg_trgm extracts no trigram from a shorter fragment, so the index cannot narrow it.
TRIGRAM = 3


class JsonSql(Protocol):
    def fold(self, expr: Expr) -> Expr: ...
    def text(self, key: str) -> Expr: ...
    def number(self, key: str) -> Expr: ...
    def boolean(self, key: str) -> Expr: ...
    def iso_day(self, key: str) -> tuple[Expr, Expr]: ...
    def is_set(self, key: str) -> Expr: ...
    def has_element(self, key: str, folded: Sequence[str]) -> Expr: ...
    def indexed_contains(self, search_text: Expr, folded: str) -> Expr | None: ...
    def one_of(self, expr: Expr, values: Sequence[str]) -> Expr: ...


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

    def iso_day(self, key: str) -> tuple[Expr, Expr]:
        """(the value as text, true when it is a string starting with a `YYYY-MM-DD` day)."""
        raw = self._raw(key)
        return raw, and_(self._type(key) == "text", raw.op("GLOB")(ISO_DAY_GLOB))

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

    def indexed_contains(self, search_text: Expr, folded: str) -> Expr | None:
        return None

    def one_of(self, expr: Expr, values: Sequence[str]) -> Expr:
        return expr.in_(values)


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

    def iso_day(self, key: str) -> tuple[Expr, Expr]:
        """(the value as text, true when it is a string starting with a `YYYY-MM-DD` day).

        No `jsonb_typeof` guard: `->>` renders no other JSON type as text matching the regex
        (numbers have no inner `-`, objects/arrays start with a bracket, null is NULL).
        """
        raw = collate(self._raw(key), "C")
        return raw, raw.op("~")(ISO_DAY_REGEX)

    def is_set(self, key: str) -> Expr:
        kind = self._type(key)
        return case(
            (kind == "string", self._raw(key) != ""),
            (kind == "array", func.jsonb_array_length(self._node(key)) > 0),
            else_=func.coalesce(kind, "null") != "null",
        )

    def has_element(self, key: str, folded: Sequence[str]) -> Expr:
        variants = case_variants(folded, MAX_CASE_VARIANTS)
        if variants is None:
            return self._scan_elements(key, folded)
        wanted = literal(variants, ARRAY(String))
        # `?|` first: the type guard then runs only on the rows that hold a wanted value.
        return and_(self._node(key).op("?|")(wanted), self._type(key) == "array")

    def _scan_elements(self, key: str, folded: Sequence[str]) -> Expr:
        """The element-by-element test, for values with too many case variants for `?|`."""
        items = func.jsonb_array_elements(
            case((self._type(key) == "array", self._node(key)), else_=cast(literal("[]"), JSONB))
        ).table_valued("value")
        text = items.c.value.op("#>>", return_type=String)(literal_column("'{}'"))
        return exists(
            select(1)
            .select_from(items)
            .where(func.jsonb_typeof(items.c.value) == "string", self.fold(text).in_(folded))
        )

    def indexed_contains(self, search_text: Expr, folded: str) -> Expr | None:
        """A trigram-indexed superset of the contacts whose searchable column contains `folded`.

        `search_text` is the database `lower()` of those columns: for an ASCII fragment (whose
        letters the parser already folded) it contains the fragment wherever the ASCII-folded
        column does, as `lower()` maps A-Z to a-z char by char (true of every libc and ICU
        locale but the Turkic ones, where `I` lowers to a dotless i).
        """
        if len(folded) < TRIGRAM or not folded.isascii():
            return None
        return search_text.contains(folded, autoescape=True)

    def one_of(self, expr: Expr, values: Sequence[str]) -> Expr:
        """`= ANY(array)`: one bind parameter however many values (a long IN would need one
        each, and a statement is limited to 32,767)."""
        return expr == func.any(literal(list(values), ARRAY(String)))


def json_sql(dialect: str, column: Expr) -> JsonSql:
    return PostgresJson(column) if dialect == "postgresql" else SqliteJson(column)
