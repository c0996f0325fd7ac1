"""Automation errors."""

from kindred.core.errors import NotFound


class WorkflowNotFound(NotFound):
    message = "Workflow not found"


class AutomationNotFound(NotFound):
    message = "Automation rule not found"


def internal_failure(error: str) -> str:
    """What a run or step says when its job gave up: the error's kind only (its text may quote
    SQL or internals; the job row and the worker log keep it whole)."""
    kind = error.split(":", 1)[0]
    return f"Stopped by an unexpected error ({kind}) after every retry; see the server log"
