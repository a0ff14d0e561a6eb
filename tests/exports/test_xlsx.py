"""data.xlsx and codebook.xlsx read back with openpyxl: strings and numbers, never a formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from fieldwork.exports.batch import Export
from fieldwork.exports.records import ExportRecord
from fieldwork.exports.xlsx_file import XlsxTable

from .conftest import FROZEN_AT, MULTILINE, batch_records

MakeRecord = Callable[..., ExportRecord]


def read(path: Path, sheet: str = "data") -> dict[Any, dict[str, Any]]:
    rows = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    header = [str(name) for name in rows[0]]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def test_values_read_back_as_exported(export: Callable[..., Export], record: MakeRecord) -> None:
    rows = read(export(batch_records(record)).directory / "data.xlsx")
    first = rows[1]
    assert first["submitted_at"] == "2026-09-03T10:24:30Z"
    assert first["duration_seconds"] == 570
    assert (first["A1"], first["A2_chat"], first["A2_none"], first["A3"]) == ("yes", 1, 0, 4)
    assert (first["A6"], first["A8"]) == (12.5, "2026-09-01")
    assert rows[2]["A10"] == MULTILINE
    assert rows[4]["started_at"] is None


def test_missing_codes(export: Callable[..., Export], record: MakeRecord) -> None:
    rows = read(export(batch_records(record)).directory / "data.xlsx")
    assert (rows[2]["A2_chat"], rows[2]["A3"], rows[2]["A4"], rows[3]["A3"]) == (-96, -97, -99, -98)
    assert rows[1]["A10"] == "-96"
    assert rows[5]["A9"] == "'-99"


def test_formula_like_text_is_neutralised(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    rows = read(export(batch_records(record)).directory / "data.xlsx")
    assert rows[1]["A9"] == "'=1+1"
    assert rows[3]["A9"] == "'@SUM(A1:A9)"
    assert rows[4]["A9"] == "'\tTabbed"
    assert rows[6]["A10"] == "'\nstarts with CR"  # XML reads a CR back as LF


def test_no_cell_is_a_formula_or_an_error(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    directory = export(batch_records(record)).directory
    for name in ("data.xlsx", "codebook.xlsx"):
        for sheet in load_workbook(directory / name).worksheets:
            kinds = {cell.data_type for row in sheet.iter_rows() for cell in row}
            assert kinds <= {"s", "n"}, (name, kinds)
    assert read(directory / "data.xlsx")[7]["A9"] == "#N/A"  # text, not Excel's error


def test_text_a_spreadsheet_would_run_is_stored_as_text_even_unneutralised(
    tmp_path: Path,
) -> None:
    # The table neutralises nothing itself; it still never writes a formula.
    path = tmp_path / "t.xlsx"
    table = XlsxTable(path, "t", ["a", "b"], moment=FROZEN_AT)
    table.add(["=1+1", "#REF!"])
    table.close()
    (cells,) = load_workbook(path)["t"].iter_rows(min_row=2)
    assert [(c.value, c.data_type) for c in cells] == [("=1+1", "s"), ("#REF!", "s")]


def test_characters_xml_cannot_hold_are_replaced(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    table = XlsxTable(path, "t", ["a"], moment=FROZEN_AT)
    table.add(["bell\x07 and tab\t and newline\n"])
    table.close()
    assert load_workbook(path)["t"]["A2"].value == "bell\ufffd and tab\t and newline\n"


def test_long_tables_continue_on_further_sheets(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    table = XlsxTable(path, "data", ["n"], moment=FROZEN_AT, max_rows=3)
    for n in range(5):
        table.add([n])
    table.close()
    book = load_workbook(path)
    assert book.sheetnames == ["data", "data 2", "data 3"]
    assert [[c.value for c in row] for row in book["data 2"].iter_rows()] == [["n"], [2], [3]]


def test_document_times_are_the_frozen_time(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    properties = load_workbook(export(batch_records(record)).directory / "data.xlsx").properties
    frozen = FROZEN_AT.astimezone(dt.UTC).replace(tzinfo=None)
    assert (properties.created, properties.modified) == (frozen, frozen)
    assert properties.creator == "fieldwork"
