"""Workflows and automation rules: storage (validated by `validation`), runs, and the bulk run
of a rule."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from croniter import CroniterBadDateError
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations.actions import checked_change
from kindred.automations.errors import AutomationInactive
from kindred.automations.models import Workflow, WorkflowRun, WorkflowRunStep
from kindred.automations.repository import RunRepository, WorkflowRepository
from kindred.automations.schedule import UnknownTimezone, cron_zone, latest_cron_time
from kindred.automations.schemas import (
    RuleConfig,
    RuleCreate,
    RuleUpdate,
    WorkflowCreate,
    WorkflowUpdate,
)
from kindred.automations.triggers import parse_conditions
from kindred.automations.validation import check_definition, check_rule_action
from kindred.contacts.bulk_ops import Bulk
from kindred.core.auth import Principal
from kindred.core.db import utcnow
from kindred.core.schemas import PageParams
from kindred.providers.standard_webhooks import new_secret

RULE_TYPES = {"set_field": "SET_FIELD", "add_tag": "ADD_TAG", "remove_tag": "REMOVE_TAG"}
RULE_BATCH = 1000
DEFINITION = ("trigger", "trigger_config", "match", "conditions", "actions")


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
    await check_definition(session, principal.workspace, values)
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


def _checked_again(workflow: Workflow, changes: dict[str, Any]) -> bool:
    """Whether the update is held to the definition checks: when it changes the definition or
    switches the workflow on. A rename or a deactivation is not, so that a workflow saved
    before a check existed can still be switched off."""
    switched_on = changes.get("status") == "ACTIVE" and workflow.status != "ACTIVE"
    return switched_on or any(name in changes for name in DEFINITION)


async def _apply(session: AsyncSession, workflow: Workflow, changes: dict[str, Any]) -> Workflow:
    """Applies the changes (the schemas refuse null for every field but the description) once
    the definition they leave is valid."""
    merged = {name: getattr(workflow, name) for name in DEFINITION} | changes
    if _checked_again(workflow, changes):
        await check_definition(session, workflow.workspace_id, merged)
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


def _rule_values(config: RuleConfig) -> dict[str, Any]:
    for index, action in enumerate(config.actions):
        check_rule_action(index, action)
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
    fired for, or None: however many times passed since the last fired (the scheduler was
    down), only the latest fires."""
    config = workflow.trigger_config
    try:
        zone = cron_zone(config)
        latest = latest_cron_time(str(config.get("cron", "")), zone, now)
    except (CroniterBadDateError, UnknownTimezone):  # saved before such values were refused
        return None
    fired = workflow.last_fired_at or workflow.created_at
    return latest if latest > fired else None
