"""Custom field definitions, and checking a contact's customFields against them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.errors import DuplicateField, FieldInUse, InvalidContactField
from kindred.contacts.models import FieldDefinition
from kindred.contacts.repository import FieldRepository
from kindred.contacts.schemas import FieldCreate
from kindred.contacts.values import coerce_field
from kindred.core.filters import InvalidFilter, parse_filter
from kindred.core.filters.fields import FieldRegistry

CHOICE_TYPES = ("select", "multiselect")

# `(session, workspace_id) -> [(what, filter)]`: the filters a domain keeps and parses again
# later (segments, audiences of campaigns yet to start, automation conditions, webhook
# filters), registered with @saved_filters. A field's definition types the filters naming
# it: deleted or retyped, `customFields.score > 5` would no longer parse, and the segment,
# campaign or automation would fail when next used. Such a change is refused instead.
SavedFilters = Callable[[AsyncSession, uuid.UUID], Awaitable[Sequence[tuple[str, Any]]]]
SAVED_FILTERS: dict[str, SavedFilters] = {}


def saved_filters(finder: SavedFilters) -> SavedFilters:
    """Registers a finder (keyed by its qualified name: a re-import does not add it twice)."""
    SAVED_FILTERS[f"{finder.__module__}.{finder.__qualname__}"] = finder
    return finder


def _check_options(field_type: str, options: list[str] | None) -> None:
    if field_type in CHOICE_TYPES and not options:
        raise InvalidContactField("options", f"A {field_type} field needs options")


async def list_fields(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[FieldDefinition]:
    return await FieldRepository(session, workspace_id).listed()


async def create_field(
    session: AsyncSession, workspace_id: uuid.UUID, data: FieldCreate
) -> FieldDefinition:
    _check_options(data.field_type, data.options)
    fields = FieldRepository(session, workspace_id)
    if await fields.by_name(data.name) is not None:
        raise DuplicateField()
    change = f"defining it as {data.field_type}"
    await _refuse_breaking_filters(session, workspace_id, data.name, change, data.field_type)
    return await fields.add(
        FieldDefinition(
            name=data.name,
            label=data.label,
            field_type=data.field_type,
            options=data.options,
            sort_order=data.sort_order,
            scope=data.scope,
        )
    )


async def update_field(
    session: AsyncSession, workspace_id: uuid.UUID, field_id: uuid.UUID, changes: dict[str, Any]
) -> FieldDefinition:
    definition = await FieldRepository(session, workspace_id).get_or_404(field_id)
    new_type = changes.get("field_type")
    if new_type not in (None, definition.field_type):
        change = f"retyping it as {new_type}"
        await _refuse_breaking_filters(session, workspace_id, definition.name, change, new_type)
    for name, value in changes.items():
        if value is not None or name == "options":
            setattr(definition, name, value)
    _check_options(definition.field_type, definition.options)
    await session.flush()
    return definition


async def delete_field(session: AsyncSession, workspace_id: uuid.UUID, field_id: uuid.UUID) -> None:
    """409 while a saved filter (see SAVED_FILTERS) would no longer parse without it."""
    fields = FieldRepository(session, workspace_id)
    definition = await fields.get_or_404(field_id)
    await _refuse_breaking_filters(session, workspace_id, definition.name, "deleting it", None)
    await fields.delete(definition)


async def _refuse_breaking_filters(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    name: str,
    change: str,
    new_type: str | None,
) -> None:
    """FieldInUse naming every saved filter that parses with the field as it is (or with no
    definition, compared as text) and would not with `new_type` (None: no definition)."""
    now = {field.name: field.field_type for field in await list_fields(session, workspace_id)}
    after = {other: kind for other, kind in now.items() if other != name}
    if new_type is not None:
        after[name] = new_type
    broken = [
        what
        for finder in SAVED_FILTERS.values()
        for what, raw in await finder(session, workspace_id)
        if _parses(raw, now) and not _parses(raw, after)
    ]
    if broken:
        raise FieldInUse(
            f"The field {name!r} types the filter of {', '.join(broken)}, which "
            f"{change} would make invalid; change that filter first",
            details=[{"usedBy": what} for what in broken],
        )


def _parses(raw: Any, definitions: Mapping[str, str]) -> bool:
    try:
        parse_filter(raw, FieldRegistry(definitions))
    except InvalidFilter:
        return False
    return True


class FieldChecker:
    """Validates customFields against the workspace's definitions (loaded once per use)."""

    def __init__(self, definitions: Sequence[FieldDefinition]) -> None:
        self.definitions = {definition.name: definition for definition in definitions}

    @classmethod
    async def load(cls, session: AsyncSession, workspace_id: uuid.UUID) -> FieldChecker:
        return cls(await FieldRepository(session, workspace_id).listed())

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        """Typed values for defined keys; keys with no definition are kept as text."""
        checked: dict[str, Any] = {}
        for name, value in values.items():
            definition = self.definitions.get(name)
            if definition is None:
                checked[name] = coerce_field("text", None, name, value)
            else:
                checked[name] = coerce_field(definition.field_type, definition.options, name, value)
        return checked
