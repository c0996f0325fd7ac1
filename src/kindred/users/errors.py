"""User-domain errors."""

from kindred.core.errors import BadRequest, Conflict, NotFound


class UserNotFound(NotFound):
    message = "User not found"


class EmailAlreadyExists(BadRequest):
    code = "EMAIL_EXISTS"
    message = "Email already exists"


class AlreadyMember(Conflict):
    code = "ALREADY_MEMBER"
    message = "User is already a member of this workspace"


class LastAdmin(Conflict):
    code = "LAST_ADMIN"
    message = "A workspace must keep at least one admin"
