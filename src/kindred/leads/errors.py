"""Lead errors."""

from kindred.core.errors import Conflict, NotFound


class LeadNotFound(NotFound):
    message = "Lead not found"


class DuplicateLead(Conflict):
    code = "DUPLICATE_LEAD"
    message = "A lead with this Google place id or phone already exists"


class LeadAlreadyConverted(Conflict):
    code = "LEAD_ALREADY_CONVERTED"
    message = "Lead already converted to a contact"
