"""Which workflows an event starts: the trigger, its options and the conditions.

Conditions are the filter language (`kindred.core.filters`), evaluated on the contact as the
event carries it (the contact after the change). Document 000 writes `tags contains VIP`;
on tags that means `has` (and `not_contains` means `not_has`).

CONTACT_UPDATED starts on a contact.updated event that changed something: an update that
changed nothing (a PUT of the same values, a SET_FIELD step setting the value the contact has)
starts nothing, or a workflow setting a field on CONTACT_UPDATED would start itself again and
again up to the loop bound.

FIELD_CHANGED (`{"field": "status", "from": "lead", "to": "customer"}`, from and to optional)
starts on a contact.updated event whose `changes` include the field, with its old and new
values equal to `from` and `to` when given (a number field's value as a number, so `5` and
`"5.0"` agree; any other as text, case-insensitively). On `tags`, `to` is a tag newly added
and `from` one removed. On a multiselect custom field likewise, for one option or several
(a list, or one comma-separated text, `"High,Low"`): `to` options all held after the change,
one at least newly, `from` options all held before, one at least no longer; the order and
the case of the options do not matter, and `[]` is no option at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations.models import Workflow
from kindred.automations.repository import WorkflowRepository
from kindred.contacts import matching
from kindred.contacts.events import CUSTOM, change_key
from kindred.contacts.fields import saved_filters
from kindred.core.filters import Group, Subject, evaluate
from kindred.core.filters.fields import snake

EVENT_TRIGGERS: dict[str, tuple[str, ...]] = {
    "contact.created": ("CONTACT_CREATED",),
    "contact.updated": ("CONTACT_UPDATED", "FIELD_CHANGED"),
    "tag.added": ("TAG_ADDED",),
    "tag.removed": ("TAG_REMOVED",),
    "deal.stage_changed": ("DEAL_STAGE_CHANGED",),
    "lead.created": ("LEAD_CREATED",),
    "message.received": ("MESSAGE_RECEIVED",),
    "appointment.scheduled": ("APPOINTMENT_SCHEDULED",),
    "form.submitted": ("FORM_SUBMITTED",),
}
TAG_OPERATORS = {"contains": "has", "not_contains": "not_has"}
# triggerConfig key -> where the event's data holds the value it must equal (case-insensitive).
OPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "TAG_ADDED": {"tag": ("tag", "name")},
    "TAG_REMOVED": {"tag": ("tag", "name")},
    "DEAL_STAGE_CHANGED": {"toStage": ("toStage", ""), "fromStage": ("fromStage", "")},
    "MESSAGE_RECEIVED": {"channel": ("message", "channel")},
    "FORM_SUBMITTED": {"formId": ("form", "id")},
}


KINDS = {"workflow": "workflow", "rule": "automation rule"}


def filter_of(match: str, conditions: list[Any]) -> dict[str, Any]:
    """Document 000's condition list as a filter of the filter language."""
    mapped = []
    for condition in conditions:
        operator = condition.get("operator")
        if condition.get("field") == "tags" and isinstance(operator, str):
            operator = TAG_OPERATORS.get(operator.strip().lower(), operator)
        mapped.append({**condition, "operator": operator})
    return {"match": match, "conditions": mapped}


@saved_filters
async def condition_filters(
    session: AsyncSession, workspace_id: uuid.UUID
) -> list[tuple[str, Any]]:
    """The conditions of every workflow and rule, active or not (one set ACTIVE again parses
    them then)."""
    found = []
    for kind in KINDS:
        repository = WorkflowRepository(session, workspace_id, kind)
        for workflow in await repository.all(repository.listed(None)):
            if workflow.conditions:
                what = f'{KINDS[kind]} "{workflow.name}"'
                found.append((what, filter_of(workflow.match, workflow.conditions)))
    return found


async def parse_conditions(
    session: AsyncSession, workspace_id: uuid.UUID, match: str, conditions: list[Any]
) -> Group:
    """The conditions' AST, typed by the workspace's custom fields (400 when invalid)."""
    return await matching.parse(session, workspace_id, filter_of(match, conditions))


def _value_at(data: Mapping[str, Any], path: tuple[str, str]) -> Any:
    outer, inner = path
    found = data.get(outer)
    return found.get(inner) if inner and isinstance(found, Mapping) else found


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).casefold()


def _number(value: Any) -> float | None:
    """The number a value is or spells, None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _agrees(value: Any, wanted: Any) -> bool:
    if wanted in (None, ""):
        return True
    if isinstance(value, list):
        return any(_agrees(item, wanted) for item in value)
    # A number in the event is a number field's (a field without a definition holds text).
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == _number(wanted)
    return _text(value) == _text(wanted)


def field_changed(config: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """FIELD_CHANGED's triggerConfig agrees with a contact.updated event's `changes`
    (`{field: {"from": old, "to": new}}`, see contacts/events.py)."""
    key = change_key(str(config.get("field") or "")) or ""
    change = (data.get("changes") or {}).get(key) if key else None
    if not isinstance(change, Mapping):
        return False
    old, new = change.get("from"), change.get("to")
    if key.startswith(CUSTOM) and (isinstance(old, list) or isinstance(new, list)):
        return _options_changed(config, old, new)
    if isinstance(old, list) or isinstance(new, list):
        return _list_changed(config, _listed(old), _listed(new))
    return all(_agrees(change.get(end), config.get(end)) for end in ("from", "to"))


def _option_set(value: Any) -> frozenset[str]:
    """A multiselect value (a list of options, or one comma-separated text) as the set of its
    options, stripped and case-folded; none for a missing value."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return frozenset(text for item in items if (text := _text(item).strip()))


def _options_changed(config: Mapping[str, Any], old: Any, new: Any) -> bool:
    """A multiselect's options changed (the same options in another order are no change), so
    as to hold every `to` option, one at least newly, and to lose one at least of the `from`
    options, which it held every one of (either, when not given): `"to": "Sports"` is Sports
    added, as on tags; `[]` is no option at all."""
    before, after = _option_set(old), _option_set(new)
    if before == after:
        return False
    return _brought(config.get("to"), after, before) and _brought(config.get("from"), before, after)


def _brought(wanted: Any, holding: frozenset[str], other: frozenset[str]) -> bool:
    """`holding` has every `wanted` option and `other` lacks one at least of them (any options
    when none is wanted; none at all for `[]`)."""
    if wanted in (None, ""):
        return True
    options = _option_set(wanted)
    if not options:
        return not holding
    return options <= holding and not options <= other


def _list_changed(config: Mapping[str, Any], old: list[Any], new: list[Any]) -> bool:
    """On a list field (`tags`, the sorted names before and after): `to` is a value newly in
    the list and `from` one no longer in it. Whether the list holds the value after (or held
    it before) is not enough: adding "Other" to a contact tagged VIP must not start a
    workflow waiting for VIP to be added."""
    return _only_in(config.get("from"), old, new) and _only_in(config.get("to"), new, old)


def _only_in(wanted: Any, values: list[Any], others: list[Any]) -> bool:
    """`wanted` is among `values` and not among `others` (any values when none is wanted)."""
    if wanted in (None, ""):
        return True
    return _agrees(values, wanted) and not _agrees(others, wanted)


def _listed(value: Any) -> list[Any]:
    """A list end of a change as a list: none for a missing value, a lone value as one."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def options_match(workflow: Workflow, data: Mapping[str, Any]) -> bool:
    """The workflow's triggerConfig (e.g. `{"tag": "VIP"}`) agrees with the event's data."""
    if workflow.trigger == "FIELD_CHANGED":
        return field_changed(workflow.trigger_config, data)
    if workflow.trigger == "CONTACT_UPDATED":
        return data.get("changes") != {}  # events without `changes` say nothing of them
    for key, path in OPTIONS.get(workflow.trigger, {}).items():
        wanted = workflow.trigger_config.get(key)
        if wanted in (None, ""):
            continue
        if str(_value_at(data, path) or "").casefold() != str(wanted).casefold():
            return False
    return True


def _moment(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def subject_of(contact: Mapping[str, Any]) -> Subject:
    """A contact as the API shows it (camelCase) as the filter evaluator's subject."""
    columns = {
        snake(key): _moment(value) if key.endswith("At") else value
        for key, value in contact.items()
        if key not in ("tags", "customFields")
    }
    return Subject.of(
        columns | {"custom_fields": contact.get("customFields") or {}},
        [str(tag) for tag in contact.get("tags") or []],
    )


async def conditions_hold(
    session: AsyncSession,
    workflow: Workflow,
    contact: Mapping[str, Any] | None,
    now: datetime,
) -> bool:
    """True without conditions; with conditions, only for a contact that satisfies them."""
    if not workflow.conditions:
        return True
    if contact is None:
        return False
    group = await parse_conditions(
        session, workflow.workspace_id, workflow.match, workflow.conditions
    )
    return evaluate(group, subject_of(contact), now)
