"""Formula-safe CSV exports: dangerous cells get a quote, numbers and phones stay readable."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest

from kindred.core.exports import csv_response, safe_cell, stream_csv


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil")',
        "+1+2",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "\tplain after tab",
        "\rplain after CR",
        "  =1+1",
        " \t =1+1",
        "\n=cmd|' /C calc'!A0",
        "\u00a0=1+1",
        "-",
        "+",
    ],
)
def test_formula_like_cells_get_a_quote_prefix(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell",
    ["42", "-42", "+42", "-3.5", ".5", "1e10", "-1.2E-3", "+14155550123", "+442071838750"],
)
def test_numbers_and_e164_phones_stay_readable(cell: str) -> None:
    assert safe_cell(cell) == cell


@pytest.mark.parametrize("cell", ["+1 415 555 0123", "+1 (415) 555", "-1-2", "- 5", "1,5+1"])
def test_almost_numbers_are_not_exempt(cell: str) -> None:
    expected = "'" + cell if cell[0] in "+-" else cell
    assert safe_cell(cell) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (True, "true"), (False, "false"), (-7, "-7"), (2.5, "2.5"), ("Ada", "Ada")],
)
def test_non_text_values_are_rendered_plainly(value: object, expected: str) -> None:
    assert safe_cell(value) == expected


async def _rows() -> AsyncIterator[list[object]]:
    for index in range(5):
        yield [f"=evil{index}", index, "+14155550123"]


async def test_stream_csv_chunks_rows_and_neutralises_every_cell() -> None:
    chunks = [chunk async for chunk in stream_csv(["@name", "n", "phone"], _rows(), 2)]
    assert len(chunks) == 1 + 3  # header, then 2 + 2 + 1 rows
    parsed = list(csv.reader(io.StringIO("".join(chunks))))
    assert parsed[0] == ["'@name", "n", "phone"]
    assert parsed[1:] == [[f"'=evil{i}", str(i), "+14155550123"] for i in range(5)]


async def test_csv_response_streams_a_download_with_a_sanitised_filename() -> None:
    response = csv_response('con"tacts\r\n.csv', ["a"], [["=1"], ["x,y"]])
    assert response.headers["content-disposition"] == 'attachment; filename="con_tacts__.csv"'
    assert response.media_type == "text/csv; charset=utf-8"
    body = "".join([chunk async for chunk in response.body_iterator])  # type: ignore[misc]
    assert body == 'a\r\n\'=1\r\n"x,y"\r\n'
