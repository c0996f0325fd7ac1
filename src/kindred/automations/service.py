"""Workflows and automation rules: validation, storage, runs, and the bulk run of a rule."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from croniter import CroniterBadDateError, croniter
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations.actions import (
    CHANNELS,
    ActionFailed,
    check_create_deal,
    check_move_deal_stage,
    checked_change,
    field_change,
    message_template,
    task_assignee,
    wait_delay,
)
from kindred.automations.errors import AutomationInactive
from kindred.automations.models import Workflow, WorkflowRun, WorkflowRunStep
from kindred.automations.repository import RunRepository, WorkflowRepository
from kindred.automations.schemas import (
    ActionIn,
    RuleConfig,
    RuleCreate,
    RuleUpdate,
    SetFieldAction,
    WorkflowCreate,
    WorkflowUpdate,
)
from kindred.automations.triggers import OPTIONS, parse_conditions
from kindred.automations.webhook import url_template
from kindred.contacts.bulk_ops import BULK_COLUMNS, Bulk
from kindred.contacts.events import change_key
from kindred.contacts.values import normalise_email
from kindred.core.auth import Principal
from kindred.core.db import utcnow
from kindred.core.errors import ValidationFailed
from kindred.core.schemas import PageParams
from kindred.core.templating import TemplateInvalid, validate
from kindred.messaging.models import Channel
from kindred.providers.standard_webhooks import new_secret

REQUIRED: dict[str, tuple[str, ...]] = {
    "ADD_TAG": ("tag",),
    "REMOVE_TAG": ("tag",),
    "SET_FIELD": ("field",),
    "MOVE_DEAL_STAGE": ("stage",),
    "WEBHOOK": ("url",),
}
RULE_TYPES = {"set_field": "SET_FIELD", "add_tag": "ADD_TAG", "remove_tag": "REMOVE_TAG"}
RULE_BATCH = 1000
CONTACTLESS = frozenset({"LEAD_CREATED"})  # triggers whose event has no contact to test
# croniter's get_prev is strictly before its start: starting just after `now` includes `now`.
AT_OR_BEFORE = timedelta(microseconds=1)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "message": message}])


def _check_action(index: int, action: ActionIn) -> None:
    path = f"actions[{index}].config"
    for key in REQUIRED.get(action.type.value, ()):
        if action.config.get(key) in (None, ""):
            raise _invalid(f"{path}.{key}", f"{action.type.value} needs config.{key}")
    if action.type.value in CHANNELS and message_template(action.config) is None:
        message = f"{action.type.value} needs config.message (or config.body): the text to send"
        raise _invalid(f"{path}.message", message)
    if action.type.value == "WEBHOOK":
        _check_webhook(path, action.config)
    if action.config.get("to") not in (None, ""):
        if action.type.value != "SEND_EMAIL":
            raise _invalid(f"{path}.to", "Only SEND_EMAIL takes config.to (an email address)")
        normalise_email(str(action.config["to"]), f"{path}.to")
    for key, value in _text_values(action.config):
        try:
            validate(value)
        except TemplateInvalid as error:
            raise _invalid(f"{path}.{key}", error.message) from None


def _check_webhook(path: str, config: dict[str, Any]) -> None:
    try:
        url_template(str(config["url"]))
    except ActionFailed as error:
        raise _invalid(f"{path}.url", error.message) from None
    if not isinstance(config.get("data") or {}, dict):
        raise _invalid(f"{path}.data", "config.data must be an object")


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
    field, the deal values and the ids of CREATE_DEAL, MOVE_DEAL_STAGE and CREATE_TASK (this
    workspace's)."""
    config = action.config
    try:
        if action.type.value == "WAIT":
            wait_delay(config)
        elif action.type.value == "SET_FIELD":
            field_change(str(config["field"]), None)
        elif action.type.value == "CREATE_DEAL":
            await check_create_deal(session, workspace_id, config)
        elif action.type.value == "MOVE_DEAL_STAGE":
            await check_move_deal_stage(session, workspace_id, config)
        elif action.type.value == "CREATE_TASK":
            await task_assignee(session, workspace_id, config)
    except ActionFailed as error:
        raise _invalid(f"actions[{index}].config", error.message) from None


def _check_cron(cron: Any) -> None:
    if not isinstance(cron, str) or not croniter.is_valid(cron):
        raise _invalid("triggerConfig.cron", "A SCHEDULE trigger needs a valid cron expression")
    try:
        croniter(cron, utcnow()).get_next(datetime)
    except CroniterBadDateError:
        raise _invalid("triggerConfig.cron", "The cron expression never comes due") from None


def _check_field_change(config: dict[str, Any]) -> None:
    field = config.get("field")
    if not isinstance(field, str) or not field.strip() or change_key(field) is None:
        message = "A FIELD_CHANGED trigger needs the contact field it watches"
        raise _invalid("triggerConfig.field", message)
    for end in ("from", "to"):
        if isinstance(config.get(end), dict | list):
            raise _invalid(f"triggerConfig.{end}", f"triggerConfig.{end} must be a single value")


def _check_options(trigger: str, config: dict[str, Any]) -> None:
    """An option the event's value could never equal is refused: the workflow would never
    start, and nothing would say why."""
    for key in OPTIONS.get(trigger, {}):
        value = config.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _invalid(f"triggerConfig.{key}", f"triggerConfig.{key} must be a single value")
        if key == "channel" and str(value).upper() not in Channel.__members__:
            names = ", ".join(Channel.__members__)
            raise _invalid("triggerConfig.channel", f"triggerConfig.channel is one of {names}")


def _check_trigger(trigger: str, config: dict[str, Any]) -> None:
    if trigger == "SCHEDULE":
        _check_cron(config.get("cron"))
    elif trigger == "FIELD_CHANGED":
        _check_field_change(config)
    _check_options(trigger, config)


async def _checked(session: AsyncSession, workspace_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Validates a complete workflow definition (400 naming the offending field)."""
    _check_trigger(values["trigger"], values["trigger_config"])
    if values["trigger"] in CONTACTLESS and values["conditions"]:
        message = "Conditions are about a contact, and a new lead is none yet"
        raise _invalid("conditions", message)
    await parse_conditions(session, workspace_id, values["match"], values["conditions"])
    for index, raw in enumerate(values["actions"]):
        action = ActionIn.model_validate(raw)
        _check_action(index, action)
        await _check_values(session, workspace_id, index, action)


async def list_workflows(
    session: AsyncSession, workspace_id: uuid.UUID, status: str | None, params: PageParams
) -> tuple[Sequence[Workflow], int]:
    repository = WorkflowRepository(session, workspace_id, "workflow")
    return await repository.page(repository.listed(status), params)


async def get_workflow(
    session: AsyncSession, workspace_id: uuid.UUID, workflow_id: uuid.UUID, kind: str = "workflow"
) -> Workflow:
    return await WorkflowRepository(session, workspace_id, kind).get_or_404(workflow_id)


async def _store(
    session: AsyncSession, principal: Principal, kind: str, values: dict[str, Any]
) -> Workflow:
    await _checked(session, principal.workspace, values)
    workflow = Workflow(
        kind=kind, webhook_secret=new_secret(), created_by=principal.user.id, **values
    )
    return await WorkflowRepository(session, principal.workspace, kind).add(workflow)


async def create_workflow(
    session: AsyncSession, principal: Principal, data: WorkflowCreate
) -> Workflow:
    values = data.model_dump(mode="json")
    return await _store(session, principal, "workflow", values)


def _reschedule(workflow: Workflow, changes: dict[str, Any], trigger: str) -> None:
    """A SCHEDULE workflow whose trigger, cron or status changes counts its cron times from
    now: a time that passed while it was inactive or under another schedule is not due."""
    timing = ("trigger", "trigger_config", "status")
    if trigger == "SCHEDULE" and any(
        changes.get(name) not in (None, getattr(workflow, name)) for name in timing
    ):
        workflow.last_fired_at = utcnow()


def _reactivate(workflow: Workflow, changes: dict[str, Any]) -> None:
    """An INACTIVE workflow set ACTIVE answers the events that occur from now on, not those
    that occurred while it was off and are still queued. (Events queued before it was set
    INACTIVE are not answered either: a deactivation drops the work still pending.)"""
    if changes.get("status") == "ACTIVE" and workflow.status != "ACTIVE":
        workflow.activated_at = utcnow()


async def _apply(session: AsyncSession, workflow: Workflow, changes: dict[str, Any]) -> Workflow:
    """Applies the changes (the schemas refuse null for every field but the description) once
    the definition they leave is valid."""
    merged = {
        name: getattr(workflow, name)
        for name in ("trigger", "trigger_config", "match", "conditions", "actions")
    } | changes
    await _checked(session, workflow.workspace_id, merged)
    _reschedule(workflow, changes, merged["trigger"])
    _reactivate(workflow, changes)
    for name, value in merged.items():
        setattr(workflow, name, value)
    await session.flush()
    return workflow


async def update_workflow(
    session: AsyncSession, workspace_id: uuid.UUID, workflow_id: uuid.UUID, data: WorkflowUpdate
) -> Workflow:
    workflow = await get_workflow(session, workspace_id, workflow_id)
    changes = data.model_dump(exclude_unset=True, mode="json")
    return await _apply(session, workflow, changes)


async def delete_workflow(
    session: AsyncSession, workspace_id: uuid.UUID, workflow_id: uuid.UUID, kind: str = "workflow"
) -> None:
    repository = WorkflowRepository(session, workspace_id, kind)
    await repository.delete(await repository.get_or_404(workflow_id))


async def list_runs(
    session: AsyncSession, workspace_id: uuid.UUID, workflow_id: uuid.UUID, params: PageParams
) -> tuple[list[tuple[WorkflowRun, list[WorkflowRunStep]]], int]:
    """A page of the workflow's runs, newest first, each with its steps."""
    await get_workflow(session, workspace_id, workflow_id)
    runs = RunRepository(session, workspace_id)
    page, total = await runs.page(runs.of_workflow(workflow_id), params)
    steps: dict[uuid.UUID, list[WorkflowRunStep]] = {run.id: [] for run in page}
    for step in await runs.steps_of(list(steps)):
        steps[step.run_id].append(step)
    return [(run, steps[run.id]) for run in page], total


# Document 002's automation rules: a workflow with a manual trigger.


def _check_rule_field(index: int, action: SetFieldAction) -> None:
    """A rule sets a contact column on every matching contact at once: only a column the bulk
    path may set, to a value the contacts API accepts (custom fields are checked by their
    definitions when the rule runs)."""
    path = f"config.actions[{index}]"
    try:
        field_change(action.field, None)
    except ActionFailed as error:
        raise _invalid(f"{path}.field", error.message) from None
    try:
        ((name, _),) = checked_change(action.field, action.value).items()
    except ActionFailed as error:
        raise _invalid(f"{path}.value", error.message) from None
    if name != "custom_fields" and name not in BULK_COLUMNS:
        raise _invalid(f"{path}.field", f"A rule cannot set {action.field}")


def _rule_values(config: RuleConfig) -> dict[str, Any]:
    for index, action in enumerate(config.actions):
        if isinstance(action, SetFieldAction):
            _check_rule_field(index, action)
    actions = [
        {
            "type": RULE_TYPES[action.type],
            "config": action.model_dump(exclude={"type"}, mode="json"),
        }
        for action in config.actions
    ]
    conditions = [condition.model_dump(mode="json") for condition in config.conditions]
    return {"match": config.match, "conditions": conditions, "actions": actions}


def rule_config(rule: Workflow) -> dict[str, Any]:
    """The rule as document 002 shows it: `{match, conditions, actions}` in its own spelling."""
    names = {value: key for key, value in RULE_TYPES.items()}
    actions = [{"type": names[action["type"]], **action["config"]} for action in rule.actions]
    return {"match": rule.match, "conditions": rule.conditions, "actions": actions}


async def list_rules(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Workflow]:
    repository = WorkflowRepository(session, workspace_id, "rule")
    return await repository.all(repository.listed(None))


async def create_rule(session: AsyncSession, principal: Principal, data: RuleCreate) -> Workflow:
    values: dict[str, Any] = {"name": data.name, "description": data.description}
    values["trigger"] = "MANUAL"
    values |= {"trigger_config": {}, **_rule_values(data.config)}
    return await _store(session, principal, "rule", values)


async def update_rule(
    session: AsyncSession, workspace_id: uuid.UUID, rule_id: uuid.UUID, data: RuleUpdate
) -> Workflow:
    rule = await get_workflow(session, workspace_id, rule_id, "rule")
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"config", "is_active"})
    if data.config is not None:
        changes |= _rule_values(data.config)
    if data.is_active is not None:
        changes["status"] = "ACTIVE" if data.is_active else "INACTIVE"
    return await _apply(session, rule, changes)


async def run_rule(session: AsyncSession, workspace_id: uuid.UUID, rule_id: uuid.UUID) -> int:
    """Applies the rule to every contact it matches now, set-based, `RULE_BATCH` contacts at a
    time in id order; the number matched. Each batch is chosen before its first action runs, so
    an action that changes what the filter matches holds back none of the actions after it.

    An inactive rule is refused (409): a rule has no trigger but this call, so switching it
    off can only mean "do not apply it", and a bulk change to every matching contact is not
    one to make by mistake; activating it first is one call."""
    rule = await get_workflow(session, workspace_id, rule_id, "rule")
    if rule.status != "ACTIVE":
        raise AutomationInactive()
    group = await parse_conditions(session, workspace_id, rule.match, rule.conditions)
    matched = Bulk(session, workspace_id, group)
    affected, after = 0, None
    while batch := await matched.ids_after(after, RULE_BATCH):
        await _apply_rule(matched.only(batch), rule.actions)
        affected, after = affected + len(batch), batch[-1]
    return affected


async def _apply_rule(bulk: Bulk, actions: list[Any]) -> None:
    for action in actions:
        config = action["config"]
        if action["type"] == "ADD_TAG":
            await bulk.add_tag(config["tag"])
        elif action["type"] == "REMOVE_TAG":
            await bulk.remove_tag(config["tag"])
        else:
            ((name, value),) = checked_change(config["field"], config.get("value")).items()
            if name == "custom_fields":
                ((name, value),) = value.items()
                await bulk.set_custom(name, value)
            else:
                await bulk.set_column(name, value)


def due_fire_time(workflow: Workflow, now: datetime) -> datetime | None:
    """The latest cron time at or before `now` (a tick at 09:00:00.000 fires 09:00) not yet
    fired for, or None."""
    cron = str(workflow.trigger_config.get("cron", ""))
    try:
        latest: datetime = croniter(cron, now + AT_OR_BEFORE).get_prev(datetime)
    except CroniterBadDateError:  # saved before such expressions were refused
        return None
    fired = workflow.last_fired_at or workflow.created_at
    return latest if latest > fired else None
