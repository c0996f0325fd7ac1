"""`startDate`/`endDate` query parameters: a day (`2025-11-15`) or a moment (ISO 8601).

A day-only `endDate` includes that whole day, so `startDate=2025-11-15&endDate=2025-11-30`
covers [2025-11-15T00:00Z, 2025-12-01T00:00Z). Moments without a zone are UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from kindred.core.errors import ValidationFailed


def _invalid(field: str) -> ValidationFailed:
    message = "Expected a date (YYYY-MM-DD) or an ISO 8601 date-time"
    return ValidationFailed(details=[{"field": field, "message": message}])


def parse_bound(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """The UTC moment a bound names; a day-only end bound is the start of the next day."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == len("2025-11-15"):
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1 if end else 0), time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise _invalid(field) from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_order(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        message = "endDate must not be before startDate"
        raise ValidationFailed(message, details=[{"field": "endDate", "message": message}])
