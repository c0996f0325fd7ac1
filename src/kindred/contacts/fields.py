"""Custom field definitions, and checking a contact's customFields against them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.contacts.errors import DuplicateField, InvalidContactField
from kindred.contacts.models import FieldDefinition
from kindred.contacts.repository import FieldRepository
from kindred.contacts.schemas import FieldCreate
from kindred.contacts.values import coerce_field

CHOICE_TYPES = ("select", "multiselect")


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
    for name, value in changes.items():
        if value is not None or name == "options":
            setattr(definition, name, value)
    _check_options(definition.field_type, definition.options)
    await session.flush()
    return definition


async def delete_field(session: AsyncSession, workspace_id: uuid.UUID, field_id: uuid.UUID) -> None:
    fields = FieldRepository(session, workspace_id)
    await fields.delete(await fields.get_or_404(field_id))


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
