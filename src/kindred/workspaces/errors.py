"""Workspace-domain errors."""

from kindred.core.errors import NotFound


class WorkspaceNotFound(NotFound):
    message = "Workspace not found"
