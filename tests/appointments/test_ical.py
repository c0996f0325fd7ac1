"""The RFC 5545 writer: escaping, folding at 75 octets, CRLF line ends, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from kindred.appointments.ical import Event, escape_text, fold, render_calendar

NOW = datetime(2025, 11, 13, 21, 0, tzinfo=UTC)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_text_escaping_covers_backslash_semicolon_comma_and_newlines() -> None:
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_short_lines_are_not_folded() -> None:
    assert fold("SUMMARY:short") == "SUMMARY:short"


def test_long_lines_fold_at_75_octets_with_a_leading_space() -> None:
    folded = fold("DESCRIPTION:" + "x" * 200)
    parts = folded.split("\r\n")
    assert len(parts[0].encode()) == 75
    assert all(part.startswith(" ") and len(part.encode()) <= 75 for part in parts[1:])
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + "x" * 200


def test_folding_never_splits_a_multibyte_character() -> None:
    line = "SUMMARY:" + "é" * 100
    parts = fold(line).split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(part.removeprefix(" ") for part in parts) == line  # each part decodes


def test_calendar_has_crlf_lines_and_utc_times() -> None:
    paris = timezone(timedelta(hours=1))
    event = Event(
        uid="apt-1@kindred",
        start=datetime(2025, 11, 20, 11, 0, tzinfo=paris),
        end=datetime(2025, 11, 20, 12, 0, tzinfo=paris),
        summary="Discovery, meeting; room 3",
        status="CONFIRMED",
        location="Office - Room 3",
    )
    text = render_calendar("Kindred", [event], NOW)
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert "UID:apt-1@kindred" in lines
    assert "DTSTAMP:20251113T210000Z" in lines
    assert "DTSTART:20251120T100000Z" in lines
    assert "DTEND:20251120T110000Z" in lines
    assert "SUMMARY:Discovery\\, meeting\\; room 3" in lines
    assert "LOCATION:Office - Room 3" in lines
