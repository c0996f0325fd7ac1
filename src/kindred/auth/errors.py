"""Sign-in errors: never say which of email or password was wrong."""

from kindred.core.errors import Unauthorized


class InvalidCredentials(Unauthorized):
    code = "INVALID_CREDENTIALS"
    message = "Invalid email or password"
