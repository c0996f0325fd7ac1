"""Imports every domain's tasks so that workers and the scheduler know them all."""

from kindred.core.discovery import import_domain_modules

TASK_MODULES = import_domain_modules("tasks")

__all__ = ["TASK_MODULES"]
