"""Automation errors."""

import re

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


class StepInterrupted(Exception):
    """A step's database or network error, raised again naming the step: the attempt is rolled
    back whole and retried, and the job's give-up, which gets only the error's text, can tell
    from it which step failed (`interrupted_step`)."""

    def __init__(self, position: int, step_type: str, error: Exception) -> None:
        super().__init__(f"step {position} ({step_type}): {type(error).__name__}: {error}")


# How a job records a StepInterrupted in its error text (`Kind: message`).
INTERRUPTED = re.compile(
    rf"{StepInterrupted.__name__}: step (?P<position>\d+) \((?P<type>\w+)\): (?P<cause>.*)",
    re.DOTALL,
)


def interrupted_step(error: str) -> tuple[int, str, str] | None:
    """(position, type, the cause's text) of the step a job's error text says was interrupted;
    None when the error came from no step."""
    found = INTERRUPTED.match(error)
    if found is None:
        return None
    return int(found["position"]), found["type"], found["cause"]
