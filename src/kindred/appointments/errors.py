"""Appointment errors."""

from kindred.core.errors import Conflict, NotFound, Unauthorized, ValidationFailed


class AppointmentNotFound(NotFound):
    message = "Appointment not found"


class AppointmentOverlap(Conflict):
    code = "APPOINTMENT_OVERLAP"
    message = "The owner already has an appointment at this time (send allowOverlap to book it)"


class EndBeforeStart(ValidationFailed):
    def __init__(self) -> None:
        message = "endTime must be after startTime"
        super().__init__(message, details=[{"field": "endTime", "message": message}])


class InvalidFeedToken(Unauthorized):
    message = "Invalid calendar feed token"
