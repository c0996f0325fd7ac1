"""Records audit entries from the ORM's flush, for every model with `__audited__ = True`.

A model opts in with `__audited__ = True` and may list fields not worth an entry in
`__audit_ignore__` (e.g. a key's lastUsedAt). The entry's workspace is the object's
`audit_workspace_id` or `workspace_id`, else the request's; the actor comes from the request
context (none in tasks and CLI). Values of secret-looking columns are masked. Bulk
`update()`/`delete()` statements bypass the ORM and are not recorded: audited domains change
rows through the ORM.
"""

from __future__ import annotations

import enum
import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import InstanceState, Session, UOWTransaction

from kindred.audit.repository import insert_entries
from kindred.core import context
from kindred.core.db import utcnow, uuid7

MASK = "***"
SECRET_COLUMN = re.compile(r"password|secret|token|hash|encrypted|credential|private", re.I)
ALWAYS_IGNORED = frozenset({"id", "workspace_id", "created_at", "updated_at"})


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a column value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return str(value)


def _shown(name: str, value: Any) -> Any:
    return MASK if value is not None and SECRET_COLUMN.search(name) else _plain(value)


def _fields(state: InstanceState[Any]) -> list[str]:
    ignored = ALWAYS_IGNORED | getattr(state.class_, "__audit_ignore__", frozenset())
    return [attr.key for attr in state.mapper.column_attrs if attr.key not in ignored]


def _changes(state: InstanceState[Any], action: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in _fields(state):
        if action == "update":
            history = state.attrs[name].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[name] = {"old": _shown(name, old), "new": _shown(name, new)}
        else:
            value = state.attrs[name].value
            changes[name] = {"new" if action == "create" else "old": _shown(name, value)}
    return changes


def _workspace_of(obj: Any, request: context.RequestContext | None) -> uuid.UUID | None:
    found = getattr(obj, "audit_workspace_id", None) or getattr(obj, "workspace_id", None)
    if found is None and request is not None:
        return request.workspace_id
    return found


def _entry(obj: Any, action: str) -> dict[str, Any] | None:
    if not getattr(type(obj), "__audited__", False):
        return None
    request = context.current()
    workspace_id = _workspace_of(obj, request)
    # Deleting a workspace deletes its log with it: nothing to write the entry into.
    if workspace_id is None or (action == "delete" and workspace_id == getattr(obj, "id", None)):
        return None
    state = inspect(obj)
    changes = _changes(state, action)
    if action == "update" and not changes:
        return None
    return {
        "id": uuid7(),
        "workspace_id": workspace_id,
        "actor_id": request.user_id if request else None,
        "api_key_id": request.api_key_id if request else None,
        "request_id": request.request_id if request else None,
        "action": action,
        "entity_type": state.mapper.local_table.name,
        "entity_id": ",".join(str(part) for part in state.mapper.primary_key_from_instance(obj)),
        "changes": changes,
        "created_at": utcnow(),
    }


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _flush: UOWTransaction) -> None:
    """After the flush the new rows have ids and the history of changed ones is still there."""
    batches = (("create", session.new), ("update", session.dirty), ("delete", session.deleted))
    rows = [
        entry
        for action, objects in batches
        for obj in objects
        if (entry := _entry(obj, action)) is not None
    ]
    if rows:
        insert_entries(session, rows)
