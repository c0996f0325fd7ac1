"""Automation errors."""

from kindred.core.errors import Conflict, NotFound


class WorkflowNotFound(NotFound):
    message = "Workflow not found"


class AutomationNotFound(NotFound):
    message = "Automation rule not found"


class AutomationInactive(Conflict):
    code = "AUTOMATION_INACTIVE"
    message = "The rule is inactive; activate it first"


def internal_failure(error: str) -> str:
    """What a run or step says when its job gave up: the error's kind only (its text may quote
    SQL or internals; the job row and the worker log keep it whole)."""
    kind = error.split(":", 1)[0]
    return f"Stopped by an unexpected error ({kind}) after every retry; see the server log"


def unexpected_failure(error: Exception) -> str:
    """What a step says when it raised an error no service anticipated: its kind only, like
    `internal_failure` (the worker log keeps the traceback)."""
    return f"Failed with an unexpected error ({type(error).__name__}); see the server log"
