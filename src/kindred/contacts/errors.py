"""Contact, tag, field, interaction and import errors."""

from kindred.core.errors import BadRequest, Conflict, NotFound, ValidationFailed


class ContactNotFound(NotFound):
    message = "Contact not found"


class DuplicateEmail(Conflict):
    code = "DUPLICATE_EMAIL"
    message = "A contact with this email already exists"


class DuplicateCrmId(Conflict):
    code = "DUPLICATE_CRM_ID"
    message = "A contact with this CRM ID already exists"


class InvalidContactField(ValidationFailed):
    """One bad field value, reported with the field-level `details` of every 400."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, details=[{"field": field, "message": message}])


class TagNotFound(NotFound):
    message = "Tag not found"


class DuplicateTag(Conflict):
    code = "DUPLICATE_TAG"
    message = "A tag with this name already exists"


class FieldNotFound(NotFound):
    message = "Field definition not found"


class DuplicateField(Conflict):
    code = "DUPLICATE_FIELD"
    message = "A field with this name already exists"


class FieldInUse(Conflict):
    code = "FIELD_IN_USE"
    message = "The field is in use"


class InteractionNotFound(NotFound):
    message = "Interaction not found"


class ImportJobNotFound(NotFound):
    message = "Import job not found"


class InvalidImport(BadRequest):
    code = "INVALID_IMPORT"
    message = "Invalid import"
