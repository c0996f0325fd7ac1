"""The typed filter AST: operators, field kinds, conditions and groups."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Past this many case variants the compiler folds the stored value instead of listing them.
MAX_CASE_VARIANTS = 256


def fold(text: str) -> str:
    """The case folding both implementations use: ASCII letters only (see the package doc)."""
    return text.translate(ASCII_LOWER)


def case_variants(folded: Sequence[str], limit: int) -> list[str] | None:
    """Every string whose fold is one of `folded` (each ASCII letter in either case, other
    characters as they are), or None when there are more than `limit`. A stored value equal to
    one of them is exactly a value that folds to a wanted one, so the compiler can compare the
    bare column (indexes, statistics) instead of a folded expression."""
    if sum(2 ** sum("a" <= char <= "z" for char in value) for value in folded) > limit:
        return None
    return [
        "".join(chars)
        for value in folded
        for chars in itertools.product(
            *((char, char.upper()) if "a" <= char <= "z" else (char,) for char in value)
        )
    ]


class Operator(StrEnum):
    EQ = "eq"
    NEQ = "neq"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    STARTS_WITH = "starts_with"
    GT = "gt"
    LT = "lt"
    GTE = "gte"
    LTE = "lte"
    IN = "in"
    HAS = "has"
    NOT_HAS = "not_has"
    IS_SET = "is_set"
    IS_NOT_SET = "is_not_set"
    AFTER = "after"
    BEFORE = "before"


ALIASES = {"is_empty": Operator.IS_NOT_SET, "is_not_empty": Operator.IS_SET}
# Each negative operator is the negation of its positive twin (the unset rule follows).
NEGATIONS = {
    Operator.NEQ: Operator.EQ,
    Operator.NOT_CONTAINS: Operator.CONTAINS,
    Operator.NOT_HAS: Operator.HAS,
    Operator.IS_NOT_SET: Operator.IS_SET,
}
# `after`/`before` are the strict comparisons under their time names.
TIME_SYNONYMS = {Operator.AFTER: Operator.GT, Operator.BEFORE: Operator.LT}


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    MULTISELECT = "multiselect"
    TAGS = "tags"


Source = Literal["column", "custom", "company", "tags"]


@dataclass(frozen=True)
class FieldRef:
    """Where a field lives: a contacts column, a customFields key, a company column, or tags."""

    source: Source
    name: str
    kind: FieldKind


@dataclass(frozen=True)
class DaysAgo:
    days: int


@dataclass(frozen=True)
class Moment:
    """A time value: absolute, or relative to the `now` given at evaluation."""

    at: datetime | None = None
    relative: DaysAgo | None = None

    def resolve(self, now: datetime) -> datetime:
        if self.relative is not None:
            return now - timedelta(days=self.relative.days)
        assert self.at is not None
        return self.at

    def day(self, now: datetime) -> str:
        """The UTC day as `YYYY-MM-DD` (how date custom fields are stored)."""
        return self.resolve(now).astimezone(UTC).date().isoformat()


Scalar = str | float | bool | Moment
Value = Scalar | tuple[Scalar, ...] | None


@dataclass(frozen=True)
class Condition:
    field: FieldRef
    operator: Operator
    value: Value
    path: str


@dataclass(frozen=True)
class Group:
    match: Literal["all", "any"]
    conditions: tuple[Condition | Group, ...]


Node = Condition | Group
