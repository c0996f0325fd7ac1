"""Every query on workflows, their runs, steps and caused events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kindred.automations.errors import AutomationNotFound, WorkflowNotFound
from kindred.automations.models import CausedEvent, Workflow, WorkflowRun, WorkflowRunStep
from kindred.core.repository import Repository, WorkspaceRepository

ACTIVE = "ACTIVE"


class WorkflowRepository(WorkspaceRepository[Workflow]):
    """Workflows of one kind: document 000 workflows, or document 002 rules."""

    model = Workflow
    not_found = WorkflowNotFound

    def __init__(self, session: AsyncSession, workspace_id: uuid.UUID, kind: str) -> None:
        super().__init__(session, workspace_id)
        self.kind = kind

    async def get_or_404(self, object_id: uuid.UUID) -> Workflow:
        found = await self.get(object_id)
        if found is None:
            raise AutomationNotFound() if self.kind == "rule" else WorkflowNotFound()
        return found

    def base(self) -> Select[Workflow]:
        return super().base().where(Workflow.kind == self.kind)

    def listed(self, status: str | None) -> Select[Workflow]:
        stmt = self.base().order_by(Workflow.created_at.desc(), Workflow.id.desc())
        return stmt if status is None else stmt.where(Workflow.status == status)

    async def active_for(self, triggers: Sequence[str]) -> Sequence[Workflow]:
        stmt = self.base().where(Workflow.status == ACTIVE, Workflow.trigger.in_(triggers))
        return await self.all(stmt.order_by(Workflow.id))

    async def count_execution(self, workflow_id: uuid.UUID) -> None:
        """One more run; an UPDATE in the database so that concurrent runs never lose one."""
        await self.session.execute(
            update(Workflow)
            .where(Workflow.id == workflow_id)
            .values(execution_count=Workflow.execution_count + 1)
            .execution_options(synchronize_session=False)
        )


class ScheduledWorkflows(Repository[Workflow]):
    """Active SCHEDULE workflows of every workspace (the scheduler's scan)."""

    model = Workflow

    async def active(self) -> Sequence[Workflow]:
        stmt = self.base().where(Workflow.status == ACTIVE, Workflow.trigger == "SCHEDULE")
        return await self.all(stmt.order_by(Workflow.id))


class RunRepository(WorkspaceRepository[WorkflowRun]):
    model = WorkflowRun
    not_found = WorkflowNotFound

    async def start(self, run: WorkflowRun) -> bool:
        """Inserts the run unless one exists for its (workflow, trigger); True when inserted."""
        exists = await self.session.scalar(
            select(func.count()).where(
                WorkflowRun.workflow_id == run.workflow_id,
                WorkflowRun.trigger_key == run.trigger_key,
            )
        )
        if exists:
            return False
        try:
            async with self.session.begin_nested():
                await self.add(run)
        except IntegrityError:  # a concurrent start won the unique key
            return False
        return True

    async def locked(self, run_id: uuid.UUID) -> WorkflowRun | None:
        """The run, its row locked until the commit (PostgreSQL): one job advances it at a time."""
        stmt = self.base().where(WorkflowRun.id == run_id).with_for_update()
        found: WorkflowRun | None = await self.session.scalar(stmt)
        return found

    def of_workflow(self, workflow_id: uuid.UUID) -> Select[WorkflowRun]:
        return (
            self.base()
            .where(WorkflowRun.workflow_id == workflow_id)
            .order_by(WorkflowRun.created_at.desc(), WorkflowRun.id.desc())
        )

    async def steps_of(self, run_ids: Sequence[uuid.UUID]) -> Sequence[WorkflowRunStep]:
        rows = await self.session.scalars(
            select(WorkflowRunStep)
            .where(WorkflowRunStep.workspace_id == self.workspace_id)
            .where(WorkflowRunStep.run_id.in_(run_ids))
            .order_by(WorkflowRunStep.run_id, WorkflowRunStep.position)
        )
        return rows.all()

    async def add_step(self, step: WorkflowRunStep) -> WorkflowRunStep:
        step.workspace_id = self.workspace_id
        self.session.add(step)
        await self.session.flush()
        return step

    async def step(self, step_id: uuid.UUID) -> WorkflowRunStep | None:
        found = await self.session.get(WorkflowRunStep, step_id)
        return found if found is not None and found.workspace_id == self.workspace_id else None

    async def failed_step(self, run_id: uuid.UUID) -> WorkflowRunStep | None:
        """The run's first FAILED step, if any."""
        found: WorkflowRunStep | None = await self.session.scalar(
            select(WorkflowRunStep)
            .where(WorkflowRunStep.workspace_id == self.workspace_id)
            .where(WorkflowRunStep.run_id == run_id, WorkflowRunStep.status == "FAILED")
            .order_by(WorkflowRunStep.position)
            .limit(1)
        )
        return found

    async def cause_depth(self, event_id: uuid.UUID) -> int | None:
        """The depth of the run whose step emitted this event (None: not caused by a run)."""
        return await self.session.scalar(
            select(CausedEvent.depth).where(
                CausedEvent.workspace_id == self.workspace_id, CausedEvent.event_id == event_id
            )
        )
