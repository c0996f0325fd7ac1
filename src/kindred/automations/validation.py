"""Save-time validation of workflows and rules: a definition that could not run is a 400.

Each check names the offending field (`triggerConfig.cron`, `actions[2].config.tag`...), so a
client can point at it. Besides each value on its own, the checks hold the steps to what their
runs will have: a step that acts on the run's contact (or on the triggering event's deal) is
refused on a trigger whose runs never have one, instead of failing on every run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from croniter import CroniterBadDateError, croniter
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations.actions import (
    CHANNELS,
    ActionFailed,
    check_create_deal,
    check_move_deal_stage,
    check_set_field,
    check_tag,
    checked_change,
    due_in_days,
    field_change,
    has_stage,
    message_template,
    task_assignee,
    wait_delay,
)
from kindred.automations.schedule import UnknownTimezone, cron_zone
from kindred.automations.schemas import ActionIn, SetFieldAction, TagAction
from kindred.automations.triggers import OPTIONS, parse_conditions
from kindred.automations.webhook import url_template
from kindred.contacts.bulk_ops import BULK_COLUMNS
from kindred.contacts.errors import InvalidContactField
from kindred.contacts.events import CUSTOM, change_key
from kindred.contacts.fields import FieldChecker
from kindred.contacts.models import Contact, FieldDefinition
from kindred.contacts.values import normalise_email
from kindred.core.db import utcnow
from kindred.core.errors import ValidationFailed
from kindred.core.templating import TemplateInvalid, validate
from kindred.deals import pipelines
from kindred.messaging.models import Channel

REQUIRED: dict[str, tuple[str, ...]] = {
    "ADD_TAG": ("tag",),
    "REMOVE_TAG": ("tag",),
    "SET_FIELD": ("field",),
    "MOVE_DEAL_STAGE": ("stage",),
    "WEBHOOK": ("url",),
}
# Config values checked on their own, by step type: (the key, its check).
KEYED_CHECKS: dict[str, tuple[str, Callable[[dict[str, Any]], object]]] = {
    "ADD_TAG": ("tag", check_tag),
    "REMOVE_TAG": ("tag", check_tag),
    "CREATE_TASK": ("dueInDays", due_in_days),
}
# Config values a step reads as text (a template, a name, an address): a list, an object or a
# boolean there would be sent, tagged or titled as its Python spelling (`['hi']`, `True`).
TEXT_KEYS = (
    "message",
    "body",
    "subject",
    "to",
    "tag",
    "field",
    "title",
    "description",
    "stage",
    "url",
)
# minute hour day-of-month month day-of-week (or an alias such as `@daily`)
CRON_FIELDS = 5
# Event triggers whose event has no contact (nor deal), and why.
CONTACTLESS = {"LEAD_CREATED": "a new lead is no contact yet"}
UNCONDITIONED_SCHEDULE = (
    "a SCHEDULE without conditions runs once, without a contact "
    "(with conditions it runs once for each contact they match)"
)
# Triggers whose event carries a deal (its id kept in the run's context): the only ones on which
# MOVE_DEAL_STAGE without config.dealId has a deal to move.
DEAL_TRIGGERS = frozenset({"DEAL_STAGE_CHANGED"})
# Steps that act on the run's contact (SEND_EMAIL unless its config.to names the address).
CONTACT_ACTIONS = frozenset(
    {"SEND_SMS", "SEND_EMAIL", "SEND_WHATSAPP", "ADD_TAG", "REMOVE_TAG", "SET_FIELD", "CREATE_TASK"}
)


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "message": message}])


def _check_action(index: int, action: ActionIn) -> None:
    path = f"actions[{index}].config"
    for key in TEXT_KEYS:
        if isinstance(action.config.get(key), bool | dict | list):
            raise invalid(f"{path}.{key}", f"config.{key} must be text")
    for key in REQUIRED.get(action.type.value, ()):
        if action.config.get(key) in (None, ""):
            raise invalid(f"{path}.{key}", f"{action.type.value} needs config.{key}")
    _check_keyed(path, action)
    if action.type.value in CHANNELS and message_template(action.config) is None:
        message = f"{action.type.value} needs config.message (or config.body): the text to send"
        raise invalid(f"{path}.message", message)
    if action.type.value == "WEBHOOK":
        _check_webhook(path, action.config)
    if action.config.get("to") not in (None, ""):
        if action.type.value != "SEND_EMAIL":
            raise invalid(f"{path}.to", "Only SEND_EMAIL takes config.to (an email address)")
        normalise_email(str(action.config["to"]), f"{path}.to")
    for key, value in _text_values(action.config):
        try:
            validate(value)
        except TemplateInvalid as error:
            raise invalid(f"{path}.{key}", error.message) from None


def _check_keyed(path: str, action: ActionIn) -> None:
    if action.type.value in KEYED_CHECKS:
        key, check = KEYED_CHECKS[action.type.value]
        try:
            check(action.config)
        except ActionFailed as error:
            raise invalid(f"{path}.{key}", error.message) from None


def _check_webhook(path: str, config: dict[str, Any]) -> None:
    try:
        url_template(str(config["url"]))
    except ActionFailed as error:
        raise invalid(f"{path}.url", error.message) from None
    if not isinstance(config.get("data") or {}, dict):
        raise invalid(f"{path}.data", "config.data must be an object")


def _text_values(config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The config's text values, each rendered as a template, with their paths: its own and
    those of WEBHOOK's `data` object."""
    data = config.get("data")
    nested = data.items() if isinstance(data, dict) else ()
    for key, value in [*config.items(), *((f"data.{name}", text) for name, text in nested)]:
        if isinstance(value, str):
            yield key, value


async def _check_values(
    session: AsyncSession, workspace_id: uuid.UUID, index: int, action: ActionIn
) -> None:
    """The config values a step would only trip over when it runs: WAIT's duration, SET_FIELD's
    field and its value (unless a template), the deal values and the ids of CREATE_DEAL,
    MOVE_DEAL_STAGE and CREATE_TASK (this workspace's)."""
    config = action.config
    try:
        if action.type.value == "WAIT":
            wait_delay(config)
        elif action.type.value == "SET_FIELD":
            await check_set_field(session, workspace_id, config)
        elif action.type.value == "CREATE_DEAL":
            await check_create_deal(session, workspace_id, config)
        elif action.type.value == "MOVE_DEAL_STAGE":
            await check_move_deal_stage(session, workspace_id, config)
        elif action.type.value == "CREATE_TASK":
            await task_assignee(session, workspace_id, config)
    except ActionFailed as error:
        raise invalid(f"actions[{index}].config", error.message) from None


def _contactless(trigger: str, conditions: list[Any]) -> str | None:
    """Why no run of the definition has a contact, or None when its runs have one (or may:
    a deal's or an appointment's event has one only when its deal or appointment does)."""
    if trigger == "SCHEDULE" and not conditions:
        return UNCONDITIONED_SCHEDULE
    return CONTACTLESS.get(trigger)


def _check_deal(index: int, action: ActionIn, trigger: str) -> None:
    """Refuses MOVE_DEAL_STAGE without config.dealId on a trigger whose event carries no deal:
    it would move nothing and fail on every run (a CREATE_DEAL step before it does not name
    its deal to the steps after it)."""
    if action.type.value != "MOVE_DEAL_STAGE" or trigger in DEAL_TRIGGERS:
        return
    if action.config.get("dealId") in (None, ""):
        message = f"MOVE_DEAL_STAGE needs config.dealId: a {trigger} run has no deal to move"
        raise invalid(f"actions[{index}].config.dealId", message)


def _check_contact(index: int, action: ActionIn, why: str) -> None:
    """Refuses a step that acts on the run's contact on a trigger whose runs have none."""
    kind = action.type.value
    if kind in CONTACT_ACTIONS and not (kind == "SEND_EMAIL" and action.config.get("to")):
        raise invalid(f"actions[{index}].type", f"{kind} needs the run's contact, and {why}")


def _check_cron(config: dict[str, Any]) -> None:
    """A cron expression that comes due, on the wall clock of a time zone that exists."""
    cron = config.get("cron")
    if not isinstance(cron, str) or not croniter.is_valid(cron):
        raise invalid("triggerConfig.cron", "A SCHEDULE trigger needs a valid cron expression")
    if not cron.strip().startswith("@") and len(cron.split()) != CRON_FIELDS:
        # croniter reads a sixth field as seconds, which a once-a-minute tick cannot honour
        message = "A cron expression has five fields: minute hour day-of-month month day-of-week"
        raise invalid("triggerConfig.cron", message)
    try:
        zone = cron_zone(config)
    except UnknownTimezone as error:
        raise invalid("triggerConfig.timezone", str(error)) from None
    try:
        croniter(cron, utcnow().astimezone(zone)).get_next(datetime)
    except CroniterBadDateError:
        raise invalid("triggerConfig.cron", "The cron expression never comes due") from None


def _check_field_change(config: dict[str, Any]) -> None:
    field = config.get("field")
    if not isinstance(field, str) or not field.strip() or change_key(field) is None:
        message = "A FIELD_CHANGED trigger needs the contact field it watches"
        raise invalid("triggerConfig.field", message)
    for end in ("from", "to"):
        if isinstance(config.get(end), dict):
            raise invalid(f"triggerConfig.{end}", f"triggerConfig.{end} must be a single value")


async def _changed_values(
    session: AsyncSession, workspace_id: uuid.UUID, config: dict[str, Any]
) -> dict[str, Any]:
    """FIELD_CHANGED's config with `from` and `to` as the field holds them (`"yes"` for a
    boolean field is `true`, `"high, low"` for a multiselect `["High", "Low"]`), which is what
    the trigger compares the event's values with. A value the field cannot hold is a 400: a
    number field's `"to": "high"` would never match, and the workflow would never start. Only a
    multiselect field's value is a list (any other list would never match either)."""
    key = change_key(str(config["field"]))
    checker = await FieldChecker.load(session, workspace_id)
    name = key.removeprefix(CUSTOM) if key and key.startswith(CUSTOM) else None
    definition = checker.definitions.get(name) if name else None
    multiselect = definition is not None and definition.field_type == "multiselect"
    held = dict(config)
    for end in ("from", "to"):
        value = config.get(end)
        if isinstance(value, list) and not multiselect:
            raise invalid(f"triggerConfig.{end}", f"triggerConfig.{end} must be a single value")
        if name is None or value in (None, ""):
            continue
        try:
            held[end] = checker.check({name: _options_named(definition, value)})[name]
        except InvalidContactField as error:
            raise invalid(f"triggerConfig.{end}", error.message) from None
    return held


def _options_named(definition: FieldDefinition | None, value: Any) -> Any:
    """The select option, or the multiselect options, `value` names in any case, as the
    trigger matches them (`triggers.field_changed`): `"to": "high"` watches the option `High`,
    and `"to": "high, low"` the options `High` and `Low`. Any other value as is."""
    if definition is None or definition.field_type not in ("select", "multiselect"):
        return value
    options = {str(option).casefold(): option for option in definition.options or []}
    if definition.field_type == "select":
        return options.get(str(value).casefold(), value)
    items = value if isinstance(value, list) else str(value).split(",")
    return [options.get(str(item).strip().casefold(), item) for item in items]


def _check_options(trigger: str, config: dict[str, Any]) -> None:
    """An option the event's value could never equal is refused: the workflow would never
    start, and nothing would say why."""
    for key in OPTIONS.get(trigger, {}):
        value = config.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise invalid(f"triggerConfig.{key}", f"triggerConfig.{key} must be a single value")
        if key == "channel" and str(value).upper() not in Channel.__members__:
            names = ", ".join(Channel.__members__)
            raise invalid("triggerConfig.channel", f"triggerConfig.channel is one of {names}")


async def _check_stages(
    session: AsyncSession, workspace_id: uuid.UUID, trigger: str, config: dict[str, Any]
) -> None:
    """DEAL_STAGE_CHANGED's fromStage and toStage are stage keys of the workspace's pipelines
    (the event carries keys such as `CLOSED_WON`, never a stage's display name): any other
    value would never match, and the workflow would never start."""
    wanted = {key: config.get(key) for key in OPTIONS["DEAL_STAGE_CHANGED"]}
    if trigger != "DEAL_STAGE_CHANGED" or all(value in (None, "") for value in wanted.values()):
        return
    found = await pipelines.list_pipelines(session, workspace_id)
    for key, value in wanted.items():
        if value not in (None, "") and not has_stage(found, str(value)):
            message = f"triggerConfig.{key} {value!r} is not a stage key of any pipeline"
            raise invalid(f"triggerConfig.{key}", message)


def _check_trigger(trigger: str, config: dict[str, Any]) -> None:
    if trigger == "SCHEDULE":
        _check_cron(config)
    elif trigger == "FIELD_CHANGED":
        _check_field_change(config)
    _check_options(trigger, config)


async def check_definition(
    session: AsyncSession, workspace_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """Validates a complete workflow definition (400 naming the offending field), and sets
    its FIELD_CHANGED `from` and `to` to the values as the field holds them."""
    trigger, conditions = values["trigger"], values["conditions"]
    _check_trigger(trigger, values["trigger_config"])
    if trigger == "FIELD_CHANGED":
        config = await _changed_values(session, workspace_id, values["trigger_config"])
        values["trigger_config"] = config
    await _check_stages(session, workspace_id, trigger, values["trigger_config"])
    if trigger in CONTACTLESS and conditions:
        message = f"Conditions are about a contact, and {CONTACTLESS[trigger]}"
        raise invalid("conditions", message)
    await parse_conditions(session, workspace_id, values["match"], conditions)
    contactless = _contactless(trigger, conditions)
    for index, raw in enumerate(values["actions"]):
        action = ActionIn.model_validate(raw)
        _check_action(index, action)
        _check_deal(index, action, trigger)
        if contactless is not None:
            _check_contact(index, action, contactless)
        await _check_values(session, workspace_id, index, action)


def check_rule_action(index: int, action: SetFieldAction | TagAction) -> None:
    """A rule's action is one it can apply (400 naming `config.actions[i].<key>`); a tag
    action's name is held to the tags API's rules by its schema (a rule renders no template)."""
    if isinstance(action, SetFieldAction):
        _check_rule_field(index, action)


def _check_rule_field(index: int, action: SetFieldAction) -> None:
    """A rule sets a contact column on every matching contact at once: only a column the bulk
    path may set, to a value the contacts API accepts, and null only where a contact may have
    none (a null `source` would fail the bulk statement; custom fields are checked by their
    definitions when the rule runs)."""
    path = f"config.actions[{index}]"
    try:
        field_change(action.field, None)
    except ActionFailed as error:
        raise invalid(f"{path}.field", error.message) from None
    try:
        ((name, _),) = checked_change(action.field, action.value).items()
    except ActionFailed as error:
        raise invalid(f"{path}.value", error.message) from None
    if name == "custom_fields":
        return
    if name not in BULK_COLUMNS:
        raise invalid(f"{path}.field", f"A rule cannot set {action.field}")
    if action.value is None and not Contact.__table__.c[name].nullable:
        raise invalid(f"{path}.value", f"A contact always has a {action.field}")
