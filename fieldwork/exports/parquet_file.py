"""Parquet tables with proper types, written in row groups.

Integer columns (ratings, counts, 0/1 choices, durations, and their missing
codes) are int64; numbers that may have decimals float64; choice values,
dates and free text strings, with missing codes as "-96" … "-99"; times
timestamp[us, UTC]. Text is kept as answered, not neutralised: Parquet is read
by programs, not opened as a spreadsheet. Rows are buffered, a list per column,
and written `row_group_size` at a time, so memory does not grow with the batch. pyarrow
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
        self._buffer: list[list[Cell]] = [[] for _ in columns]  # one list per column
        self._writer = pq.ParquetWriter(str(path), self._schema, compression=COMPRESSION)

    def add(self, columns: Sequence[Sequence[Cell]]) -> None:
        """Add rows given column by column (`Layout.table`), one sequence per column."""
        for buffered, column in zip(self._buffer, columns, strict=True):
            buffered.extend(column)
        self.rows += len(columns[0])
        while len(self._buffer[0]) >= self._group_size:
            self._flush(self._group_size)

    def _flush(self, count: int) -> None:
        """Write the first `count` buffered rows as one row group."""
        if not count:
            return
        arrays = [
            pa.array(column[:count], type=field.type)
            for column, field in zip(self._buffer, self._schema, strict=True)
        ]
        table = pa.Table.from_arrays(arrays, schema=self._schema)
        self._writer.write_table(table, row_group_size=count)
        for column in self._buffer:
            del column[:count]

    def close(self) -> None:
        self._flush(len(self._buffer[0]))
        self._writer.close()
