"""data.csv read back with the csv module: the same values as the records, made safe."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from fieldwork.exports.batch import Export
from fieldwork.exports.records import ExportRecord

from .conftest import MULTILINE, batch_records

MakeRecord = Callable[..., ExportRecord]


def read(path: Path, encoding: str = "utf-8") -> dict[str, dict[str, str]]:
    """Rows by response id."""
    with path.open(encoding=encoding, newline="") as file:
        return {row["response_id"]: row for row in csv.DictReader(file)}


def test_values_read_back_as_exported(export: Callable[..., Export], record: MakeRecord) -> None:
    rows = read(export(batch_records(record)).directory / "data.csv")
    first = rows["1"]
    assert first["questionnaire_id"] == "mini"
    assert first["language"] == "zh-Hans"
    assert first["started_at"] == "2026-09-03T10:15:00Z"
    assert first["submitted_at"] == "2026-09-03T10:24:30Z"
    assert first["duration_seconds"] == "570.0"
    assert first["A1"] == "yes"
    assert (first["A2_chat"], first["A2_phone"], first["A2_none"]) == ("1", "1", "0")
    assert (first["A3"], first["A4"], first["A5"], first["A6"], first["A7"]) == (
        "4",
        "9",
        "3",
        "12.5",
        "95",
    )
    assert first["A8"] == "2026-09-01"


def test_chinese_emoji_quotes_commas_and_line_breaks_survive(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    rows = read(export(batch_records(record)).directory / "data.csv")
    assert rows["2"]["A10"] == MULTILINE


def test_missing_codes_are_distinct(export: Callable[..., Export], record: MakeRecord) -> None:
    rows = read(export(batch_records(record)).directory / "data.csv")
    assert rows["1"]["A10"] == "-96"  # not shown
    assert rows["2"]["A3"] == "-97"  # not applicable
    assert rows["3"]["A3"] == "-98"  # don't know
    assert rows["2"]["A4"] == "-99"  # not answered
    assert [rows["2"][f"A2_{v}"] for v in ("chat", "phone", "none")] == ["-96"] * 3
    assert [rows["3"][f"A2_{v}"] for v in ("chat", "phone", "none")] == ["-98"] * 3


def test_formula_like_text_is_neutralised(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    rows = read(export(batch_records(record)).directory / "data.csv")
    assert rows["1"]["A9"] == "'=1+1"
    assert rows["2"]["A9"] == "'-5"
    assert rows["3"]["A9"] == "'@SUM(A1:A9)"
    assert rows["4"]["A9"] == "'\tTabbed"
    assert rows["6"]["A9"] == "'+86 138 0000 0000"
    assert rows["6"]["A10"] == "'\rstarts with CR"


def test_text_that_looks_like_a_code_stays_apart_from_the_code(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    rows = read(export(batch_records(record)).directory / "data.csv")
    assert rows["5"]["A9"] == "'-99"  # typed by the respondent
    assert rows["5"]["A10"] == "-96"  # the export's code


def test_unknown_metadata_is_empty(export: Callable[..., Export], record: MakeRecord) -> None:
    paper = read(export(batch_records(record)).directory / "data.csv")["4"]
    assert (paper["started_at"], paper["duration_seconds"], paper["text_size"]) == ("", "", "")


def test_rows_end_with_crlf_and_answers_keep_their_lf(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    data = (export(batch_records(record)).directory / "data.csv").read_bytes()
    assert data.split(b"\r\n", 1)[0].startswith(b"response_id,")
    assert "好的 👍\n第二行".encode() in data


def test_no_bom_unless_asked(export: Callable[..., Export], record: MakeRecord) -> None:
    plain = export(batch_records(record)).directory
    with_bom = export(batch_records(record), bom=True).directory
    for name in ("data.csv", "codebook.csv", "cleaning_log.csv"):
        assert not (plain / name).read_bytes().startswith(b"\xef\xbb\xbf")
        assert (with_bom / name).read_bytes().startswith(b"\xef\xbb\xbf")
    assert read(with_bom / "data.csv", "utf-8-sig") == read(plain / "data.csv")
