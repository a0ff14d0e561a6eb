"""Parquet tables with proper types, written in row groups.

Integer columns (ratings, counts, 0/1 choices, durations, and their missing
codes) are int64; numbers that may have decimals float64; choice values,
dates and free text strings, with missing codes as "-96" … "-99"; times
timestamp[us, UTC]. Text is kept as answered, not neutralised: Parquet is read
by programs, not opened as a spreadsheet. Rows are buffered and written
`row_group_size` at a time, so memory does not grow with the batch. pyarrow
writes no clock time into the file, so the same rows give the same bytes
with the same pyarrow version (which the file records in `created_by`).
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


class ParquetTable:
    """One Parquet file of typed rows (`Layout.row`)."""

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
        self._schema = pa.schema(
            [pa.field(c.name, ARROW_TYPES[c.kind]) for c in columns], metadata=metadata
        )
        self._group_size = row_group_size
        self._buffer: list[Sequence[Cell]] = []
        self._writer = pq.ParquetWriter(str(path), self._schema, compression=COMPRESSION)

    def add(self, row: Sequence[Cell]) -> None:
        self._buffer.append(row)
        self.rows += 1
        if len(self._buffer) >= self._group_size:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        arrays = []
        # zip(*rows) yields one column at a time: the rows and the finished arrays are
        # all that is held, about 1.7 kB a row for the shipped questionnaire.
        for values, field in zip(zip(*self._buffer, strict=True), self._schema, strict=True):
            arrays.append(pa.array(values, type=field.type))
        table = pa.Table.from_arrays(arrays, schema=self._schema)
        self._writer.write_table(table, row_group_size=len(self._buffer))
        self._buffer = []

    def close(self) -> None:
        self._flush()
        self._writer.close()
