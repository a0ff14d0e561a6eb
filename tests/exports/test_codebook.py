"""The codebook: every data column once, with texts and labels in every language."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from fieldwork.exports.batch import Export
from fieldwork.exports.records import ExportRecord

from .conftest import batch_records

MakeRecord = Callable[..., ExportRecord]


def read(directory: Path) -> list[dict[str, str]]:
    with (directory / "codebook.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def by_variable(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["variable"]: row for row in rows if row["variable"]}


def test_every_data_column_is_described_once_in_order(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    directory = export(batch_records(record)).directory
    with (directory / "data.csv").open(encoding="utf-8", newline="") as file:
        header = next(csv.reader(file))
    assert [row["variable"] for row in read(directory) if row["variable"]] == header


def test_question_text_in_every_language(export: Callable[..., Export], record: MakeRecord) -> None:
    rows = by_variable(read(export([record()]).directory))
    assert rows["A1"]["text_en"] == "Did you contact the shop?"
    assert rows["A1"]["text_zh-Hans"] == "您联系过商家吗？"
    assert rows["response_id"]["text_zh-Hans"] == "答卷编号（固定，不会重复使用）"
    assert rows["response_id"]["type"] == "metadata"


def test_value_labels_per_language(export: Callable[..., Export], record: MakeRecord) -> None:
    rows = by_variable(read(export([record()]).directory))
    assert rows["A1"]["values_en"] == "yes = Yes\nno = No"
    assert rows["A1"]["values_zh-Hans"] == "yes = 是\nno = 否"
    assert rows["A2_phone"]["values_zh-Hans"] == "1 = 电话\n0 = 未选"
    assert rows["A2_phone"]["option"] == "phone"
    assert rows["A2_phone"]["question"] == "A2"
    assert rows["A3"]["values_en"] == "1 = Bad\n5 = Good"
    assert rows["A4"]["values_zh-Hans"] == "0 = 不会\n10 = 一定会"


def test_types_ranges_and_units(export: Callable[..., Export], record: MakeRecord) -> None:
    rows = by_variable(read(export([record()]).directory))
    assert (rows["A3"]["type"], rows["A3"]["storage"], rows["A3"]["range"]) == (
        "rating",
        "integer",
        "1..5",
    )
    assert rows["A4"]["range"] == "0..10"
    assert (rows["A5"]["range"], rows["A5"]["unit_en"], rows["A5"]["unit_zh-Hans"]) == (
        "0..50",
        "times",
        "次",
    )
    assert rows["A6"]["storage"] == "number"
    assert (rows["A7"]["range"], rows["A7"]["unit_zh-Hans"]) == ("..10080", "分钟")
    assert (rows["A8"]["range"], rows["A8"]["unit_en"]) == ("2020-01-01..", "YYYY-MM-DD")


def test_missing_codes_each_variable_can_hold(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    rows = by_variable(read(export([record()]).directory))

    def codes(name: str) -> list[str]:
        row = rows[name]
        return [row[c] for c in ("not_shown", "not_applicable", "dont_know", "not_answered")]

    assert codes("A1") == ["", "", "", "-99"]
    assert codes("A2_chat") == ["-96", "", "-98", "-99"]  # condition, and "don't know"
    assert codes("A3") == ["", "-97", "-98", "-99"]
    assert codes("A10") == ["-96", "", "", "-99"]
    assert codes("response_id") == ["", "", "", ""]


def test_missing_codes_are_explained_in_every_language(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    legend = [row for row in read(export([record()]).directory) if row["type"] == "missing_code"]
    assert (legend[0]["not_shown"], legend[0]["text_en"]) == (
        "-96",
        "Not shown: hidden by its condition given earlier answers",
    )
    assert [row["text_zh-Hans"] for row in legend] == [
        "未显示：根据前面的回答，此题没有出现",
        "不适用",
        "不知道",
        "未回答：题目出现了但没有作答",
    ]


def test_tags(export: Callable[..., Export], record: MakeRecord) -> None:
    rows = by_variable(read(export([record()]).directory))
    assert (rows["A3"]["dimension"], rows["A3"]["5a"], rows["A3"]["scope"]) == (
        "experience",
        "appreciate",
        "core",
    )
    assert rows["A2_none"]["dimension"] == "response"


def test_xlsx_codebook_holds_the_same_table(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    directory = export([record()]).directory
    with (directory / "codebook.csv").open(encoding="utf-8", newline="") as file:
        from_csv = list(csv.reader(file))
    sheet = load_workbook(directory / "codebook.xlsx")["codebook"]
    from_xlsx = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert from_xlsx == from_csv
