"""A minimal RFC 5545 writer: VCALENDAR with one VEVENT per appointment.

Written here rather than taken from a library because the subset is small: TEXT escaping
(3.3.11), UTC date-times (3.3.5), and folding of content lines longer than 75 octets
(3.1, never inside a UTF-8 sequence), with CRLF line ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

LINE_OCTETS = 75
PRODID = "-//Kindred//Kindred CRM//EN"
EVENT_STATUS = {"SCHEDULED": "TENTATIVE", "CANCELLED": "CANCELLED"}


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime
    end: datetime
    summary: str
    status: str
    location: str | None = None
    description: str | None = None
    last_modified: datetime | None = None


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma, and line breaks as `\\n`."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Splits a content line into chunks of at most 75 octets, continuations led by a space."""
    encoded = line.encode()
    chunks: list[bytes] = []
    limit = LINE_OCTETS
    while len(encoded) > limit:
        cut = limit
        while cut > 0 and (encoded[cut] & 0xC0) == 0x80:  # inside a multi-byte character
            cut -= 1
        chunks.append(encoded[:cut])
        encoded = encoded[cut:]
        limit = LINE_OCTETS - 1  # the leading space counts
    chunks.append(encoded)
    return "\r\n ".join(chunk.decode() for chunk in chunks)


def _event_lines(event: Event, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{utc_stamp(event.start)}",
        f"DTEND:{utc_stamp(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"STATUS:{EVENT_STATUS.get(event.status, 'CONFIRMED')}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.last_modified:
        lines.append(f"LAST-MODIFIED:{utc_stamp(event.last_modified)}")
    lines.append("END:VEVENT")
    return lines


def render_calendar(name: str, events: Iterable[Event], now: datetime) -> str:
    stamp = utc_stamp(now)
    lines: list[str] = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += _event_lines(event, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
