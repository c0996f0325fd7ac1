"""Automation errors."""

from kindred.core.errors import Conflict, NotFound


class WorkflowNotFound(NotFound):
    message = "Workflow not found"


class AutomationNotFound(NotFound):
    message = "Automation rule not found"


class AutomationInactive(Conflict):
    code = "AUTOMATION_INACTIVE"
    message = "The rule is inactive; activate it first"


def internal_failure(error: Exception) -> str:
    """What a run or step says when its job gave up: the error's kind only (its text may quote
    SQL or internals; the job row and the worker log keep it whole)."""
    kind = type(error).__name__
    return f"Stopped by an unexpected error ({kind}) after every retry; see the server log"


def unexpected_failure(error: Exception) -> str:
    """What a step says when it raised an error no service anticipated: its kind only, like
    `internal_failure` (the worker log keeps the traceback)."""
    return f"Failed with an unexpected error ({type(error).__name__}); see the server log"


class StepInterrupted(Exception):
    """A step's database or network error, raised again naming the step: the attempt is rolled
    back whole and retried, and the job's give-up, which gets this exception, records the step
    it names FAILED (the attempt's own record of it was rolled back)."""

    def __init__(self, position: int, step_type: str, cause: Exception) -> None:
        super().__init__(f"step {position} ({step_type}): {type(cause).__name__}: {cause}")
        self.position, self.step_type, self.cause = position, step_type, cause
