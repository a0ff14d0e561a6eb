"""CSV tables, written a row at a time.

UTF-8, with a byte order mark on request (Excel on Windows reads BOM-less
UTF-8 as the local code page and garbles Chinese). RFC 4180: rows end with
CRLF, fields are quoted only when they hold a comma, quote or line break, and
a line break inside an answer stays a bare LF inside its quotes. Cells must
already be safe (`Layout.sheet_row`): this module writes what it is given.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

LINE_TERMINATOR = "\r\n"


class CsvTable:
    """One CSV file: a header, then rows."""

    def __init__(self, path: Path, header: Sequence[str], *, bom: bool = False) -> None:
        self.path = path
        self.rows = 0
        self._file = path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        self._writer = csv.writer(self._file, lineterminator=LINE_TERMINATOR)
        self._writer.writerow(header)

    def add(self, row: Sequence[Any]) -> None:
        self._writer.writerow(row)
        self.rows += 1

    def add_encoded(self, data: bytes, rows: int) -> None:
        """Add `rows` rows made into CSV beforehand (`format_rows`), as they are."""
        self._file.flush()  # what was written as text comes first
        self._file.buffer.write(data)
        self.rows += rows

    def close(self) -> None:
        self._file.close()


def format_rows(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as `CsvTable` writes them, for a table in another process to add: encoded
    where they are made, they pass between processes and into the file as bytes."""
    text = io.StringIO()
    csv.writer(text, lineterminator=LINE_TERMINATOR).writerows(rows)
    return text.getvalue().encode("utf-8")


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False
) -> None:
    table = CsvTable(path, header, bom=bom)
    try:
        for row in rows:
            table.add(row)
    finally:
        table.close()
