"""Parquet tables with proper types, written in row groups.

Integer columns (ratings, counts, 0/1 choices, durations, and their missing
codes) are int64; numbers that may have decimals float64; choice values,
dates and free text strings, with missing codes as "-96" … "-99"; times
timestamp[us, UTC]. Text is kept as answered, not neutralised: Parquet is read
by programs, not opened as a spreadsheet. Rows come as Arrow record batches
(`record_batch`, which a worker process can make), are buffered and written
`row_group_size` at a time, so memory does not grow with the batch. Row groups
are cut at the same rows and their arrays made contiguous however the rows came,
and pyarrow writes no clock time into the file, so the same rows give the same
bytes with the same pyarrow version (which the file records in `created_by`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from fieldwork.exports.columns import Cell, Column, Kind

ROW_GROUP_SIZE = 10_000
COMPRESSION = "zstd"

ARROW_TYPES: Mapping[Kind, Any] = {
    Kind.INTEGER: pa.int64(),
    Kind.NUMBER: pa.float64(),
    Kind.TEXT: pa.string(),
    Kind.TIMESTAMP: pa.timestamp("us", tz="UTC"),
}


def schema(columns: Sequence[Column], metadata: Mapping[str, str] | None = None) -> pa.Schema:
    """The Arrow schema of a table of these columns: one field per column, typed by kind."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.kind]) for c in columns], metadata=metadata)


def record_batch(columns: Sequence[Column], cells: Sequence[Sequence[Cell]]) -> pa.RecordBatch:
    """Typed cells given column by column (`Layout.table`) as an Arrow record batch: made
    where the cells are, it passes between processes as buffers, not a million objects."""
    typed = schema(columns)
    arrays = [pa.array(values, type=field.type) for values, field in zip(cells, typed, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=typed)


class ParquetTable:
    """One Parquet file of typed rows, added as record batches (`record_batch`)."""

    def __init__(
        self,
        path: Path,
        columns: Sequence[Column],
        *,
        metadata: Mapping[str, str] | None = None,
        row_group_size: int = ROW_GROUP_SIZE,
    ) -> None:
        self.path = path
        self.rows = 0
        self._schema = schema(columns, metadata)
        self._group_size = row_group_size
        self._buffer: list[pa.RecordBatch] = []
        self._buffered = 0  # rows in the buffer
        self._writer = pq.ParquetWriter(str(path), self._schema, compression=COMPRESSION)

    def add(self, batch: pa.RecordBatch) -> None:
        """Add the rows of a record batch of this table's columns."""
        if batch.schema.names != self._schema.names:
            raise ValueError("the record batch's columns are not this table's")
        self._buffer.append(batch)
        self._buffered += batch.num_rows
        self.rows += batch.num_rows
        while self._buffered >= self._group_size:
            self._flush(self._group_size)

    def _flush(self, count: int) -> None:
        """Write the first `count` buffered rows as one row group."""
        if not count:
            return
        arrays = [
            pa.concat_arrays([batch.column(i) for batch in self._buffer])
            for i in range(len(self._schema))
        ]
        table = pa.Table.from_arrays([a.slice(0, count) for a in arrays], schema=self._schema)
        self._writer.write_table(table, row_group_size=count)
        self._buffered -= count
        rest = pa.RecordBatch.from_arrays([a.slice(count) for a in arrays], schema=self._schema)
        self._buffer = [rest] if self._buffered else []

    def close(self) -> None:
        self._flush(self._buffered)
        self._writer.close()
