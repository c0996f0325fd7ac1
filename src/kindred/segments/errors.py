"""Segment errors."""

from kindred.core.errors import Forbidden, NotFound


class SegmentNotFound(NotFound):
    message = "Segment not found"


class CrossWorkspaceForbidden(Forbidden):
    code = "CROSS_WORKSPACE_FORBIDDEN"
    message = "Only platform admins may use cross-workspace segments"
