"""Workflow routes (document 000) and automation-rule routes (document 002), one engine."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from kindred.automations import service
from kindred.automations.models import Workflow, WorkflowRun, WorkflowRunStep
from kindred.automations.schemas import (
    RuleCreate,
    RuleRead,
    RuleRunResult,
    RuleUpdate,
    RunList,
    RunRead,
    RunStepRead,
    WorkflowCreate,
    WorkflowCreated,
    WorkflowList,
    WorkflowRead,
    WorkflowStatus,
    WorkflowUpdate,
)
from kindred.core.db.session import DbSession
from kindred.core.deps import AutomationsAdmin, AutomationsRead, AutomationsWrite
from kindred.core.schemas import PageMeta, Paging, SuccessResponse

router = APIRouter(tags=["automations"])
WORKFLOW_404: dict[int | str, dict[str, Any]] = {404: {"description": "Workflow not found"}}
RULE_404: dict[int | str, dict[str, Any]] = {404: {"description": "Automation rule not found"}}
INVALID: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid trigger, condition, action config or template"}
}


@router.get("/api/workflows", response_model=WorkflowList, summary="List workflows")
async def list_workflows(
    principal: AutomationsRead,
    session: DbSession,
    paging: Paging,
    status: WorkflowStatus | None = None,
) -> dict[str, Any]:
    rows, total = await service.list_workflows(
        session, principal.workspace, status.value if status else None, paging
    )
    return {"workflows": rows, **PageMeta.of(paging, total)}


@router.post(
    "/api/workflows",
    response_model=WorkflowCreated,
    status_code=201,
    summary="Create a workflow",
    responses=INVALID,
)
async def create_workflow(
    body: WorkflowCreate, principal: AutomationsWrite, session: DbSession
) -> Any:
    return await service.create_workflow(session, principal, body)


@router.get(
    "/api/workflows/{workflow_id}",
    response_model=WorkflowRead,
    summary="Get a workflow",
    responses=WORKFLOW_404,
)
async def get_workflow(
    workflow_id: uuid.UUID, principal: AutomationsRead, session: DbSession
) -> Any:
    return await service.get_workflow(session, principal.workspace, workflow_id)


@router.put(
    "/api/workflows/{workflow_id}",
    response_model=WorkflowRead,
    summary="Update a workflow",
    responses=WORKFLOW_404 | INVALID,
)
async def update_workflow(
    workflow_id: uuid.UUID, body: WorkflowUpdate, principal: AutomationsWrite, session: DbSession
) -> Any:
    return await service.update_workflow(session, principal.workspace, workflow_id, body)


@router.delete(
    "/api/workflows/{workflow_id}",
    response_model=SuccessResponse,
    summary="Delete a workflow and its runs",
    responses=WORKFLOW_404,
)
async def delete_workflow(
    workflow_id: uuid.UUID, principal: AutomationsWrite, session: DbSession
) -> Any:
    await service.delete_workflow(session, principal.workspace, workflow_id)
    return SuccessResponse(message="Workflow deleted")


@router.get(
    "/api/workflows/{workflow_id}/runs",
    response_model=RunList,
    summary="The workflow's runs, newest first, with their steps",
    responses=WORKFLOW_404,
)
async def list_runs(
    workflow_id: uuid.UUID, principal: AutomationsRead, session: DbSession, paging: Paging
) -> dict[str, Any]:
    rows, total = await service.list_runs(session, principal.workspace, workflow_id, paging)
    runs = [_run(run, steps) for run, steps in rows]
    return {"runs": runs, **PageMeta.of(paging, total)}


def _run(run: WorkflowRun, steps: list[WorkflowRunStep]) -> RunRead:
    fields = {name: getattr(run, name) for name in RunRead.model_fields if name != "steps"}
    return RunRead(**fields, steps=[RunStepRead.model_validate(step) for step in steps])


def _rule(rule: Workflow) -> RuleRead:
    return RuleRead(
        id=rule.id,
        name=rule.name,
        description=rule.description,
        config=service.rule_config(rule),
        is_active=rule.status == "ACTIVE",
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


@router.get("/api/automations", response_model=list[RuleRead], summary="List automation rules")
async def list_rules(principal: AutomationsAdmin, session: DbSession) -> Any:
    return [_rule(rule) for rule in await service.list_rules(session, principal.workspace)]


@router.post(
    "/api/automations",
    response_model=RuleRead,
    status_code=201,
    summary="Create an automation rule",
    responses=INVALID,
)
async def create_rule(body: RuleCreate, principal: AutomationsAdmin, session: DbSession) -> Any:
    return _rule(await service.create_rule(session, principal, body))


@router.get(
    "/api/automations/{rule_id}",
    response_model=RuleRead,
    summary="Get an automation rule",
    responses=RULE_404,
)
async def get_rule(rule_id: uuid.UUID, principal: AutomationsAdmin, session: DbSession) -> Any:
    return _rule(await service.get_workflow(session, principal.workspace, rule_id, "rule"))


@router.put(
    "/api/automations/{rule_id}",
    response_model=RuleRead,
    summary="Update an automation rule",
    responses=RULE_404 | INVALID,
)
async def update_rule(
    rule_id: uuid.UUID, body: RuleUpdate, principal: AutomationsAdmin, session: DbSession
) -> Any:
    return _rule(await service.update_rule(session, principal.workspace, rule_id, body))


@router.delete(
    "/api/automations/{rule_id}",
    response_model=SuccessResponse,
    summary="Delete an automation rule",
    responses=RULE_404,
)
async def delete_rule(rule_id: uuid.UUID, principal: AutomationsAdmin, session: DbSession) -> Any:
    await service.delete_workflow(session, principal.workspace, rule_id, "rule")
    return SuccessResponse(message="Automation rule deleted")


@router.post(
    "/api/automations/{rule_id}/run",
    response_model=RuleRunResult,
    summary="Apply the rule now to every contact it matches",
    responses=RULE_404 | {409: {"description": "The rule is inactive"}},
)
async def run_rule(rule_id: uuid.UUID, principal: AutomationsAdmin, session: DbSession) -> Any:
    return RuleRunResult(affected=await service.run_rule(session, principal.workspace, rule_id))
