"""Segment errors."""

from kindred.core.errors import Conflict, Forbidden, NotFound


class SegmentNotFound(NotFound):
    message = "Segment not found"


class CrossWorkspaceForbidden(Forbidden):
    code = "CROSS_WORKSPACE_FORBIDDEN"
    message = "Only platform admins may use cross-workspace segments"


class SegmentInUse(Conflict):
    code = "SEGMENT_IN_USE"
    message = "The segment is in use"
