"""A frozen batch exported again gives the same bytes: every file and the zip."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from fieldwork.exports.batch import FILE_NAMES, Export, prepare
from fieldwork.exports.layout import Layout
from fieldwork.exports.records import Excluded, ExportRecord

from .conftest import batch_records

MakeRecord = Callable[..., ExportRecord]


def test_two_exports_are_byte_identical(
    export: Callable[..., Export], record: MakeRecord, tmp_path: Path
) -> None:
    excluded = [Excluded(20, "rejected", ("speeder",))]
    first = export(batch_records(record), excluded)
    second = export(batch_records(record), excluded)
    assert first.files == second.files == FILE_NAMES
    for name in first.files:
        assert (first.directory / name).read_bytes() == (second.directory / name).read_bytes(), name
    zips = first.pack(tmp_path / "a.zip"), second.pack(tmp_path / "b.zip")
    assert zips[0].read_bytes() == zips[1].read_bytes()


@pytest.mark.parametrize("bom", [False, True])
def test_records_made_into_chunks_beforehand_give_the_same_bytes(
    export: Callable[..., Export], record: MakeRecord, layout: Layout, bom: bool
) -> None:
    """A large batch's records come as chunks that worker processes made into rows: the
    files are those of the records added one by one, whichever way they come, one after
    the other."""
    records = batch_records(record)
    one_by_one = export(records, bom=bom)
    chunks = [prepare(layout, records[:3]), prepare(layout, records[3:])]
    mixed = [*records[:2], prepare(layout, records[2:5]), *records[5:]]
    for chunked in (export(chunks, bom=bom), export(mixed, bom=bom)):
        assert chunked.files == one_by_one.files == FILE_NAMES
        for name in FILE_NAMES:
            assert (chunked.directory / name).read_bytes() == (
                one_by_one.directory / name
            ).read_bytes(), name


def test_zip_holds_every_file_in_a_fixed_order_at_the_frozen_time(
    export: Callable[..., Export], record: MakeRecord, tmp_path: Path
) -> None:
    result = export(batch_records(record))
    with zipfile.ZipFile(result.pack(tmp_path / "batch.zip")) as archive:
        assert archive.namelist() == list(FILE_NAMES)
        assert {info.date_time for info in archive.infolist()} == {(2026, 9, 30, 8, 0, 0)}
        for name in FILE_NAMES:
            assert archive.read(name) == (result.directory / name).read_bytes()


def test_xlsx_parts_carry_one_fixed_date_not_the_clock(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    # XlsxWriter dates every part of the container 1980-01-31; the document properties
    # carry the frozen time (test_xlsx.py).
    result = export(batch_records(record))
    with zipfile.ZipFile(result.directory / "data.xlsx") as book:
        dates = {info.date_time for info in book.infolist()}
    assert len(dates) == 1
    assert dt.datetime(*dates.pop()).date() != dt.date.today()


def test_data_formats_can_be_left_out(export: Callable[..., Export], record: MakeRecord) -> None:
    result = export(batch_records(record), formats=("csv",))
    assert result.files == (
        "data.csv",
        "codebook.csv",
        "codebook.xlsx",
        "cleaning_log.csv",
        "manifest.json",
    )
    assert not (result.directory / "data.parquet").exists()
