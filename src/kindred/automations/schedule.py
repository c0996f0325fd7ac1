"""SCHEDULE's cron times: `triggerConfig.cron` read on the wall clock of `triggerConfig.timezone`
(an IANA name such as `Europe/Paris`; UTC when absent, as document 000 writes every time).

`0 9 * * *` in `America/New_York` fires at 09:00 New York time in winter and in summer. Each
wall-clock time fires once across daylight-saving changes: a time the clocks skip (02:30 on
the night they spring forward) fires when they jump past it, and a time they repeat (01:30 on
the night they fall back) fires at its first occurrence only. So a daily 01:30 never runs twice
in a night, and an hourly schedule has one run fewer that night (its 01:00 is one wall time).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from croniter import croniter

# croniter's get_prev is strictly before its start: starting just after `now` includes `now`.
AT_OR_BEFORE = timedelta(microseconds=1)
# Files of the system's tz database that `available_timezones` lists and no IANA zone names:
# the machine's own setting and the placeholder zone of an unconfigured installation.
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


class UnknownTimezone(ValueError):
    """`triggerConfig.timezone` is no IANA time zone name."""


def cron_zone(config: dict[str, Any]) -> ZoneInfo:
    """The time zone `config.timezone` names (UTC when absent)."""
    name = config.get("timezone")
    if name in (None, ""):
        return ZoneInfo("UTC")
    if not isinstance(name, str):
        raise UnknownTimezone("triggerConfig.timezone must be a time zone name")
    if name not in zone_names():
        raise UnknownTimezone(
            f"{name!r} is not a time zone name (an IANA name such as Europe/Paris)"
        )
    return ZoneInfo(name)


@cache
def zone_names() -> frozenset[str]:
    """The IANA time zone names, read from the tz database once. Only a listed name reaches
    `ZoneInfo`, which would otherwise open any path it is given (a directory such as `America`,
    a name too long for a file) and fail with an OSError."""
    return frozenset(available_timezones() - NOT_ZONES | {"UTC"})


def latest_cron_time(cron: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The latest time at or before `now` that the cron expression names on `zone`'s wall
    clock, as a UTC instant (raises croniter's `CroniterBadDateError` for one never due)."""
    wall = now.astimezone(zone).replace(tzinfo=None)
    latest: datetime = croniter(cron, wall + AT_OR_BEFORE).get_prev(datetime)
    return _instant(latest, zone)


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The earliest UTC instant a wall-clock time names: for a repeated time its first
    occurrence, and for a skipped time one before the jump (so that it is due once the clocks
    are past it)."""
    return min(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
