"""Moments from clients: `Moment` for date-times in request bodies, and the `startDate`/`endDate`
query parameters, a day (`2025-11-15`) or a moment (ISO 8601).

A day-only `endDate` includes that whole day, so `startDate=2025-11-15&endDate=2025-11-30`
covers [2025-11-15T00:00Z, 2025-12-01T00:00Z). Moments without a zone are UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from pydantic import AfterValidator

from kindred.core.errors import ValidationFailed


def in_utc(moment: datetime) -> datetime:
    """The moment as aware UTC (naive means UTC); a ValueError when UTC cannot hold it, as
    `0001-01-01T00:00+01:00` or `9999-12-31T23:00-05:00` (year 0 or 10000 once converted)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("date-time out of range once converted to UTC") from error


# A date-time in a request body, stored and compared as aware UTC: a naive value never meets an
# aware one in a comparison, and an out-of-range one is a 400 naming its field.
Moment = Annotated[datetime, AfterValidator(in_utc)]


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
        return in_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except (ValueError, OverflowError) as error:  # OverflowError: the day after 9999-12-31
        raise _invalid(field) from error


def check_order(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        message = "endDate must not be before startDate"
        raise ValidationFailed(message, details=[{"field": "endDate", "message": message}])
