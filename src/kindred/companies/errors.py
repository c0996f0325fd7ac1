"""Company errors."""

from kindred.core.errors import NotFound


class CompanyNotFound(NotFound):
    message = "Company not found"
