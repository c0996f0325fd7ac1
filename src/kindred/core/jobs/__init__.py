"""Durable background work: tasks declared once, recorded in the database, run by a broker.

A job is a row written in the caller's transaction; its id reaches the broker only after the
commit. Workers claim the row atomically before running it, so a lost or duplicated broker
message delays work but never loses or repeats it; the scheduler tick re-publishes what is
due and takes back jobs whose worker died mid-run (failing them, give-up hook and all, when
that was their last attempt: a job that kills its worker does not run for ever).
"""

from kindred.core.jobs.models import Job, JobStatus
from kindred.core.jobs.registry import scanner, task
from kindred.core.jobs.runner import WorkerLost, error_text, task_settings
from kindred.core.jobs.service import (
    covered,
    enqueue,
    enqueue_many,
    queue_stats,
    waiting_jobs,
)

__all__ = [
    "Job",
    "JobStatus",
    "WorkerLost",
    "covered",
    "enqueue",
    "enqueue_many",
    "error_text",
    "queue_stats",
    "scanner",
    "task",
    "task_settings",
    "waiting_jobs",
]
