"""Spreadsheet-safe CSV exports: every exported cell passes `safe_cell`.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and some
readers also do after leading spaces or when the cell starts with a tab or carriage return
(the bypass seen in a comparable CRM). Such a cell gets a `'` prefix, unless the whole cell is
a plain number or an E.164 phone number, which stay readable. Usage in a router:

    return csv_response("contacts.csv", ["Name", "Email"], rows)  # rows: (async) iterable

Rows are pulled while the response streams, after its 200 status has been sent: validate the
request (filters, sort order) before calling `csv_response`, since an error raised by the row
source mid-stream can no longer become an error response.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence

from fastapi.responses import StreamingResponse

FORMULA_STARTS = frozenset("=+-@\t\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
E164_PHONE = re.compile(r"\+[1-9]\d{1,14}")
ROWS_PER_CHUNK = 500

Row = Sequence[object]


def _first_significant(text: str) -> str:
    """The first character after leading whitespace, where tab and CR count as significant."""
    for char in text:
        if char in "\t\r" or not char.isspace():
            return char
    return ""


def safe_text(text: str) -> str:
    """`text`, prefixed with `'` when a spreadsheet could read it as a formula."""
    if NUMBER.fullmatch(text) or E164_PHONE.fullmatch(text):
        return text
    return "'" + text if _first_significant(text) in FORMULA_STARTS else text


def safe_cell(value: object) -> str:
    """One exported cell as text: None is empty, booleans are `true`/`false`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return safe_text(str(value))


def csv_chunk(rows: Iterable[Row]) -> str:
    """Rows as CSV text, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


async def _as_async(rows: Iterable[Row] | AsyncIterable[Row]) -> AsyncIterator[Row]:
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            yield row
    else:
        for row in rows:
            yield row


async def stream_csv(
    header: Row, rows: Iterable[Row] | AsyncIterable[Row], rows_per_chunk: int = ROWS_PER_CHUNK
) -> AsyncIterator[str]:
    """The header, then the rows in chunks of `rows_per_chunk`: memory stays flat."""
    yield csv_chunk([header])
    batch: list[Row] = []
    async for row in _as_async(rows):
        batch.append(row)
        if len(batch) >= rows_per_chunk:
            yield csv_chunk(batch)
            batch = []
    if batch:
        yield csv_chunk(batch)


def csv_response(
    filename: str, header: Row, rows: Iterable[Row] | AsyncIterable[Row]
) -> StreamingResponse:
    """A streamed `text/csv` download of `rows` under `filename`."""
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "export.csv"
    return StreamingResponse(
        stream_csv(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{safe_name}"'},
    )
