"""Parsing and validating a filter's JSON into the typed AST.

Every problem is collected with the path of the condition it concerns
(`conditions[2].conditions[0]`) and raised together as one 400 `InvalidFilter`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kindred.core.errors import ValidationFailed
from kindred.core.filters.ast import (
    ALIASES,
    Condition,
    DaysAgo,
    FieldKind,
    FieldRef,
    Group,
    Moment,
    Node,
    Operator,
    Scalar,
    Value,
    fold,
)
from kindred.core.filters.fields import OPERATORS, FieldRegistry

MAX_DEPTH = 5
MAX_CONDITIONS = 100
MAX_LIST = 500
MAX_DAYS = 100_000
PRESENCE = (Operator.IS_SET, Operator.IS_NOT_SET)
FOLDED_KINDS = (FieldKind.TEXT, FieldKind.MULTISELECT, FieldKind.TAGS)
ROOT = "filter"
GROUP_KEYS = frozenset({"match", "conditions"})


class InvalidFilter(ValidationFailed):
    code = "INVALID_FILTER"
    message = "Invalid filter"


class _Problem(ValueError):
    """A value that does not fit its field; the message becomes the error detail."""


def _text(raw: Any) -> str:
    if not isinstance(raw, str) or not raw:
        raise _Problem("expects a non-empty string")
    if "\x00" in raw:
        raise _Problem("must not contain NUL characters")
    return fold(raw)


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise _Problem("expects a number")
    try:
        number = float(raw)
    except ValueError as error:
        raise _Problem("expects a number") from error
    if not math.isfinite(number):
        raise _Problem("expects a finite number")
    return number


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise _Problem("expects true or false")


def _moment(raw: Any) -> Moment:
    """An ISO date or datetime (UTC unless zoned), or `{"days_ago": N}`."""
    if isinstance(raw, Mapping):
        days = raw.get("days_ago", raw.get("daysAgo"))
        if isinstance(days, bool) or not isinstance(days, int) or abs(days) > MAX_DAYS:
            raise _Problem('expects {"days_ago": <whole number of days>}')
        return Moment(relative=DaysAgo(days))
    if isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw.strip())
        except ValueError:
            moment = None
        if moment is not None:
            at = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
            return Moment(at=at)
    raise _Problem('expects an ISO date or datetime, or {"days_ago": N}')


def _scalar(kind: FieldKind, raw: Any) -> Scalar:
    if kind in FOLDED_KINDS:
        return _text(raw)
    if kind is FieldKind.NUMBER:
        return _number(raw)
    if kind is FieldKind.BOOLEAN:
        return _boolean(raw)
    return _moment(raw)


def _value(field: FieldRef, operator: Operator, raw: Any) -> Value:
    if operator in PRESENCE:
        return None
    if operator is Operator.IN:
        if not isinstance(raw, list) or not raw or len(raw) > MAX_LIST:
            raise _Problem(f"'in' expects a list of 1 to {MAX_LIST} values")
        return tuple(_scalar(field.kind, item) for item in raw)
    return _scalar(field.kind, raw)


class _Parser:
    def __init__(self, registry: FieldRegistry) -> None:
        self.registry = registry
        self.problems: list[dict[str, str]] = []
        self.count = 0

    def problem(self, path: str, message: str) -> None:
        self.problems.append({"field": path, "message": message})

    def group(self, raw: Any, path: str, depth: int) -> Group:
        if not isinstance(raw, Mapping):
            self.problem(path, "A filter group is an object with match and conditions")
            return Group("all", ())
        if depth > MAX_DEPTH:
            self.problem(path, f"Groups nest at most {MAX_DEPTH} levels deep")
            return Group("all", ())
        for key in sorted(set(raw) - GROUP_KEYS, key=str):
            # A misspelt "conditions" would otherwise leave a group that matches everyone.
            self.problem(path, f"Unknown key {key!r}: a filter group has match and conditions")
        match = _folded(raw.get("match", "all"))
        if match not in ("all", "any"):
            self.problem(path, "match must be 'all' or 'any'")
        conditions = raw.get("conditions", [])
        if not isinstance(conditions, list):
            self.problem(path, "conditions must be a list")
            conditions = []
        prefix = "" if path == ROOT else f"{path}."
        nodes = [
            self.node(item, f"{prefix}conditions[{index}]", depth)
            for index, item in enumerate(conditions)
        ]
        return Group("any" if match == "any" else "all", tuple(n for n in nodes if n is not None))

    def node(self, raw: Any, path: str, depth: int) -> Node | None:
        if isinstance(raw, Mapping) and "conditions" in raw:
            return self.group(raw, path, depth + 1)
        self.count += 1
        if self.count == MAX_CONDITIONS + 1:
            self.problem(path, f"A filter has at most {MAX_CONDITIONS} conditions")
        if not isinstance(raw, Mapping):
            self.problem(path, "A condition is an object with field, operator and value")
            return None
        return self.condition(raw, path)

    def condition(self, raw: Mapping[str, Any], path: str) -> Condition | None:
        name, operator_name = raw.get("field"), raw.get("operator")
        field = self.registry.resolve(name) if isinstance(name, str) else None
        if field is None:
            self.problem(path, f"Unknown field {name!r}")
            return None
        folded = _folded(operator_name)
        operator = ALIASES.get(str(folded)) or _operator(folded)
        if operator is None or operator not in OPERATORS[field.kind]:
            self.problem(path, f"Operator {operator_name!r} is not valid for {field.kind} {name}")
            return None
        try:
            value = _value(field, operator, raw.get("value"))
        except _Problem as problem:
            self.problem(path, f"{name} {operator}: {problem}")
            return None
        return Condition(field, operator, value, path)


def _folded(word: Any) -> Any:
    """A keyword (`match`, an operator) in any case, as the API's other enums are taken."""
    return word.strip().lower() if isinstance(word, str) else word


def _operator(name: Any) -> Operator | None:
    try:
        return Operator(name)
    except ValueError:
        return None


def parse_filter(raw: Any, registry: FieldRegistry | None = None) -> Group:
    """The typed AST of a filter, or InvalidFilter naming every offending condition."""
    parser = _Parser(registry or FieldRegistry())
    group = parser.group(raw, ROOT, 1)
    if parser.problems:
        raise InvalidFilter(details=parser.problems)
    return group
