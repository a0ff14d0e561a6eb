"""data.xlsx and codebook.xlsx read back with openpyxl: strings and numbers, never a formula."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from fieldwork.exports.batch import Export
from fieldwork.exports.layout import Layout
from fieldwork.exports.records import ExportRecord
from fieldwork.exports.xlsx_file import XlsxTable

from .conftest import FROZEN_AT, FULL, MULTILINE, batch_records

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


def test_every_cell_reads_back_as_the_layout_made_it(
    export: Callable[..., Export], record: MakeRecord, layout: Layout
) -> None:
    records = batch_records(record)
    made = layout.sheet_rows(layout.table(records))
    # An empty text is an empty cell, and XML reads a carriage return back as a line feed.
    expected = [
        [(c.replace("\r", "\n") or None) if isinstance(c, str) else c for c in row] for row in made
    ]
    book = load_workbook(export(records).directory / "data.xlsx")
    rows = [list(row) for row in book["data"].values]
    assert rows[0] == list(layout.names)
    assert rows[1:] == expected
    assert [type(c) is str for c in rows[1]] == [isinstance(c, str) for c in expected[0]]


def test_text_over_excels_cell_limit_is_cut_there_and_kept_whole_in_csv(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    long = "长" * 40_000
    directory = export([record(1, {**FULL, "A9": long})]).directory
    assert read(directory / "data.xlsx")[1]["A9"] == long[:32_767]
    with (directory / "data.csv").open(encoding="utf-8", newline="") as file:
        assert next(iter(csv.DictReader(file)))["A9"] == long


def test_same_rows_give_the_same_bytes(tmp_path: Path) -> None:
    written = []
    for name in ("a.xlsx", "b.xlsx"):
        table = XlsxTable(tmp_path / name, "t", ["a", "b"], moment=FROZEN_AT)
        table.add(["x", 1.5])
        table.close()
        written.append((tmp_path / name).read_bytes())
    assert written[0] == written[1]


def test_abort_leaves_no_file_behind(tmp_path: Path) -> None:
    table = XlsxTable(tmp_path / "t.xlsx", "t", ["a"], moment=FROZEN_AT)
    table.add(["x"])
    table.abort()
    assert not (tmp_path / "t.xlsx").exists()
