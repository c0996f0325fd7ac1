"""API key errors."""

from kindred.core.errors import NotFound


class ApiKeyNotFound(NotFound):
    message = "API key not found"
