"""data.parquet read back with pyarrow: proper types, and text exactly as answered."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fieldwork.exports.batch import BatchWriter, Chunk, Export, prepare
from fieldwork.exports.layout import Layout
from fieldwork.exports.records import ExportError, ExportRecord

from .conftest import FROZEN_AT, MULTILINE, STARTED, SUBMITTED, batch_records

MakeRecord = Callable[..., ExportRecord]


def read(directory: Path) -> dict[int, dict[str, Any]]:
    table = pq.read_table(directory / "data.parquet")
    return {row["response_id"]: row for row in table.to_pylist()}


def test_columns_have_proper_types(export: Callable[..., Export], record: MakeRecord) -> None:
    schema = pq.read_schema(export(batch_records(record)).directory / "data.parquet")
    assert schema.field("response_id").type == pa.int64()
    assert schema.field("A1").type == pa.string()
    assert schema.field("A2_chat").type == pa.int64()
    for code in ("A3", "A4", "A5", "A7"):
        assert schema.field(code).type == pa.int64()
    assert schema.field("A6").type == pa.float64()
    assert schema.field("duration_seconds").type == pa.float64()
    assert schema.field("A8").type == pa.string()
    assert schema.field("submitted_at").type == pa.timestamp("us", tz="UTC")


def test_values_read_back_as_the_records(export: Callable[..., Export], record: MakeRecord) -> None:
    rows = read(export(batch_records(record)).directory)
    first = rows[1]
    assert first["submitted_at"] == SUBMITTED
    assert first["started_at"] == STARTED  # microseconds kept
    assert first["duration_seconds"] == 570.0
    assert (first["A1"], first["A2_chat"], first["A2_none"], first["A3"]) == ("yes", 1, 0, 4)
    assert (first["A6"], first["A7"], first["A8"]) == (12.5, 95, "2026-09-01")
    assert rows[4]["A6"] == 7.0
    assert rows[4]["started_at"] is None
    assert rows[4]["duration_seconds"] is None
    assert rows[4]["mode"] == "paper"


def test_text_is_kept_as_answered(export: Callable[..., Export], record: MakeRecord) -> None:
    rows = read(export(batch_records(record)).directory)
    assert rows[1]["A9"] == "=1+1"
    assert rows[2]["A9"] == "-5"
    assert rows[2]["A10"] == MULTILINE
    assert rows[4]["A9"] == "\tTabbed"
    assert rows[6]["A10"] == "\rstarts with CR"
    assert rows[7]["A9"] == "#N/A"


def test_missing_codes_are_numbers_in_numeric_columns_and_text_in_text_columns(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    rows = read(export(batch_records(record)).directory)
    assert (rows[2]["A2_chat"], rows[2]["A3"], rows[2]["A4"]) == (-96, -97, -99)
    assert (rows[3]["A2_phone"], rows[3]["A3"]) == (-98, -98)
    assert rows[1]["A10"] == "-96"
    assert rows[2]["A8"] == "-99"


def _grouped(layout: Layout, directory: Path, items: Sequence[ExportRecord | Chunk]) -> Path:
    directory.mkdir(exist_ok=True)
    with BatchWriter(
        directory,
        layout,
        frozen_at=FROZEN_AT,
        batch={},
        rules_version="r",
        formats=("parquet",),
        row_group_size=3,
    ) as writer:
        for item in items:
            if isinstance(item, Chunk):
                writer.add_chunk(item)
            else:
                writer.add(item)
        writer.close()
    return directory / "data.parquet"


def test_rows_are_written_in_row_groups(layout: Layout, record: MakeRecord, tmp_path: Path) -> None:
    path = _grouped(layout, tmp_path, batch_records(record))
    metadata = pq.ParquetFile(path).metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [3, 3, 1]


@pytest.mark.parametrize("sizes", [(1, 6), (2, 2, 3), (5, 2), (7,)])
def test_row_groups_are_the_same_bytes_however_the_rows_come(
    layout: Layout, record: MakeRecord, tmp_path: Path, sizes: tuple[int, ...]
) -> None:
    """Worker processes hand rows over in chunks that straddle row groups: each group is
    still cut at the same row and written from whole arrays."""
    records = batch_records(record)
    one_by_one = _grouped(layout, tmp_path / "records", records).read_bytes()
    chunks, start = [], 0
    for size in sizes:
        chunks.append(prepare(layout, records[start : start + size], ("parquet",)))
        start += size
    assert _grouped(layout, tmp_path / "chunks", chunks).read_bytes() == one_by_one


def test_a_chunk_without_the_rows_a_file_needs_is_refused(
    layout: Layout, record: MakeRecord, tmp_path: Path
) -> None:
    csv_only = prepare(layout, batch_records(record), ("csv",))
    with pytest.raises(ExportError, match=r"data\.parquet"):
        _grouped(layout, tmp_path, [csv_only])
    assert not (tmp_path / "data.parquet").exists()
