"""Automation errors."""

from kindred.core.errors import NotFound


class WorkflowNotFound(NotFound):
    message = "Workflow not found"


class AutomationNotFound(NotFound):
    message = "Automation rule not found"
