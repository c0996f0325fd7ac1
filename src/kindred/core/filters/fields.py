"""The field registry: which names a filter may use, their kinds, and each kind's operators.

Core contact fields are named in camelCase or snake_case; `customFields.<name>` is typed by
the workspace's field definition (undefined keys are text); `company.<field>` reads the
linked company; `tags` is the contact's tag names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kindred.core.filters.ast import FieldKind, FieldRef, Operator

Op = Operator
_PRESENCE = frozenset({Op.IS_SET, Op.IS_NOT_SET})
OPERATORS: dict[FieldKind, frozenset[Operator]] = {
    FieldKind.TEXT: _PRESENCE
    | {Op.EQ, Op.NEQ, Op.CONTAINS, Op.NOT_CONTAINS, Op.STARTS_WITH, Op.IN},
    FieldKind.NUMBER: _PRESENCE | {Op.EQ, Op.NEQ, Op.GT, Op.LT, Op.GTE, Op.LTE, Op.IN},
    FieldKind.BOOLEAN: _PRESENCE | {Op.EQ, Op.NEQ},
    FieldKind.DATE: _PRESENCE | {Op.EQ, Op.NEQ, Op.GT, Op.LT, Op.GTE, Op.LTE, Op.AFTER, Op.BEFORE},
    FieldKind.DATETIME: _PRESENCE | {Op.GT, Op.LT, Op.GTE, Op.LTE, Op.AFTER, Op.BEFORE},
    FieldKind.MULTISELECT: _PRESENCE | {Op.HAS, Op.NOT_HAS, Op.IN},
    FieldKind.TAGS: _PRESENCE | {Op.HAS, Op.NOT_HAS, Op.IN},
}

CONTACT_COLUMNS: dict[str, FieldKind] = {
    **dict.fromkeys(
        (
            "first_name",
            "last_name",
            "email",
            "phone",
            "company",
            "title",
            "role",
            "notes",
            "source",
            "language",
            "crm_id",
            "crm_source",
        ),
        FieldKind.TEXT,
    ),
    "is_primary": FieldKind.BOOLEAN,
    "globally_unsubscribed": FieldKind.BOOLEAN,
    "total_tasks_run": FieldKind.NUMBER,
    "created_at": FieldKind.DATETIME,
    "updated_at": FieldKind.DATETIME,
    "last_task_run": FieldKind.DATETIME,
}
# The columns lowered into contacts.search_text (see contacts/models.py), trigram-indexed.
SEARCHABLE_COLUMNS = frozenset({"first_name", "last_name", "email", "phone", "company"})
COMPANY_COLUMNS: dict[str, FieldKind] = {
    **dict.fromkeys(("name", "website", "industry", "stage_id"), FieldKind.TEXT),
    "deal_value": FieldKind.NUMBER,
    "is_customer": FieldKind.BOOLEAN,
    "last_contact": FieldKind.DATETIME,
    "created_at": FieldKind.DATETIME,
}
# Field definition types -> kinds; select, url, email and text all compare as text.
DEFINITION_KINDS = {
    "number": FieldKind.NUMBER,
    "date": FieldKind.DATE,
    "boolean": FieldKind.BOOLEAN,
    "multiselect": FieldKind.MULTISELECT,
}
CUSTOM_PREFIXES = ("customFields.", "custom_fields.")
COMPANY_PREFIX = "company."
# Custom keys are bound as JSON path parameters; quotes and path syntax are refused.
CUSTOM_KEY = re.compile(r"^[^\"\\.\[\]$*\x00-\x1f]{1,100}$")
_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", name).lower()


class FieldRegistry:
    """Resolves field names for one workspace (its custom field definitions by name -> type)."""

    def __init__(self, definitions: Mapping[str, str] | None = None) -> None:
        self.definitions = dict(definitions or {})

    def resolve(self, name: str) -> FieldRef | None:
        if name == "tags":
            return FieldRef("tags", "tags", FieldKind.TAGS)
        for prefix in CUSTOM_PREFIXES:
            if name.startswith(prefix):
                return self._custom(name.removeprefix(prefix))
        if name.startswith(COMPANY_PREFIX):
            column = snake(name.removeprefix(COMPANY_PREFIX))
            kind = COMPANY_COLUMNS.get(column)
            return FieldRef("company", column, kind) if kind else None
        column = snake(name)
        kind = CONTACT_COLUMNS.get(column)
        return FieldRef("column", column, kind) if kind else None

    def _custom(self, key: str) -> FieldRef | None:
        if not CUSTOM_KEY.match(key):
            return None
        field_type = self.definitions.get(key, "text")
        return FieldRef("custom", key, DEFINITION_KINDS.get(field_type, FieldKind.TEXT))
