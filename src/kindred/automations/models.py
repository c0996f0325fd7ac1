"""Workflows (and automation rules, a workflow with a manual trigger), their runs and steps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kindred.core.db import Base, IdMixin, TimestampMixin, WorkspaceMixin, utcnow
from kindred.core.secrets import EncryptedString


class Workflow(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    __tablename__ = "workflows"
    __audited__ = True
    __table_args__ = (Index("ix_workflows_workspace_id_trigger", "workspace_id", "trigger"),)

    # "workflow" (document 000) or "rule" (document 002's automation rules).
    kind: Mapped[str] = mapped_column(String(20), default="workflow")
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    trigger: Mapped[str] = mapped_column(String(40))
    trigger_config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    match: Mapped[str] = mapped_column(String(3), default="all")
    conditions: Mapped[list[Any]] = mapped_column(default=list)
    actions: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="ACTIVE")
    # When it was created or last set ACTIVE again: it answers only events from then on.
    activated_at: Mapped[datetime] = mapped_column(default=utcnow)
    execution_count: Mapped[int] = mapped_column(Integer, default=0)
    # SCHEDULE workflows: the last cron time a run was started for.
    last_fired_at: Mapped[datetime | None] = mapped_column(default=None)
    webhook_secret: Mapped[str] = mapped_column(EncryptedString())
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )

    def activation(self) -> str:
        """Names the workflow's current activation; work queued under it (a run, a scheduled
        batch) carries the name, so that it can tell a later activation from its own."""
        return self.activated_at.isoformat()

    def active_in(self, activation: str | None) -> bool:
        """ACTIVE, and in the activation `activation` names: work queued before a deactivation
        is dropped even when the workflow was set ACTIVE again before the work came (None:
        work queued before it carried the name, for which only the status counts)."""
        if self.status != "ACTIVE":
            return False
        return activation is None or datetime.fromisoformat(activation) == self.activated_at


class RunStatus:
    RUNNING = "RUNNING"
    WAITING = "WAITING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    STOPPED = "STOPPED"


class WorkflowRun(IdMixin, WorkspaceMixin, TimestampMixin, Base):
    """One triggered execution; `trigger_key` (the event id, or the cron time) is unique per
    workflow, so a run is never started twice for one trigger."""

    __tablename__ = "workflow_runs"
    __table_args__ = (
        UniqueConstraint("workflow_id", "trigger_key"),
        Index("ix_workflow_runs_workflow_id_created_at", "workflow_id", "created_at"),
    )

    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    trigger_key: Mapped[str] = mapped_column(String(80))
    event_type: Mapped[str | None] = mapped_column(String(100), default=None)
    # No foreign key: the run's history outlives a deleted contact.
    contact_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    next_step: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class WorkflowRunStep(IdMixin, WorkspaceMixin, Base):
    __tablename__ = "workflow_run_steps"

    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_runs.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    output: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    def failure(self) -> str:
        """What its run's error says of this step having failed."""
        return f"Step {self.position + 1} ({self.type}) failed"


class CausedEvent(WorkspaceMixin, Base):
    """A domain event emitted by a run's step, with the depth of the run that caused it."""

    __tablename__ = "workflow_caused_events"

    # No foreign key: the event outbox is pruned independently.
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflow_runs.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(Integer)
