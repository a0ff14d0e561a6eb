"""XLSX workbooks in openpyxl's write-only mode: streamed, never a formula, same bytes each time.

Every cell is a number or an inline string. openpyxl would store text
starting with "=" as a formula and "#N/A" and the like as error values; such
text is written as a plain string cell instead (text from answers arrives
neutralised already, see `safety`). Characters XML cannot hold (control
characters other than tab and line feed, refused on input anyway) become
U+FFFD, and XML reads a carriage return back as a line feed. Text longer
than Excel's 32,767-character cell limit is cut by openpyxl; CSV and Parquet
keep it whole.

A sheet holds at most 1,048,576 rows; longer tables continue on "data 2",
"data 3"…, each with the header. Document properties carry the batch's
frozen time and the container is written through `archive.FixedTimeZip`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.writer.excel import ExcelWriter

from fieldwork.exports.archive import FixedTimeZip

MAX_ROWS = 1_048_576
CREATOR = "fieldwork"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_PLAIN = frozenset(ERROR_CODES)


class XlsxTable:
    """One workbook holding one table, split over sheets of at most `max_rows` rows."""

    def __init__(
        self,
        path: Path,
        title: str,
        header: Sequence[str],
        *,
        moment: dt.datetime,
        max_rows: int = MAX_ROWS,
    ) -> None:
        self.path = path
        self.rows = 0
        self._title = title
        self._header = list(header)
        self._moment = moment
        self._per_sheet = max_rows - 1  # the header takes a row
        self._book = Workbook(write_only=True)
        self._sheet = self._new_sheet()
        self._in_sheet = 0

    def _new_sheet(self) -> Any:
        count = len(self._book.worksheets)
        sheet = self._book.create_sheet(self._title if not count else f"{self._title} {count + 1}")
        sheet.append(self._header)
        return sheet

    def add(self, row: Sequence[Any]) -> None:
        if self._in_sheet == self._per_sheet:
            self._sheet = self._new_sheet()
            self._in_sheet = 0
        self._sheet.append([self._cell(v) if v.__class__ is str else v for v in row])
        self._in_sheet += 1
        self.rows += 1

    def _cell(self, text: str) -> Any:
        if not text:
            return None  # an empty cell, not an empty string cell
        if _ILLEGAL.search(text):
            text = _ILLEGAL.sub("\ufffd", text)
        if text[:1] != "=" and text not in _NOT_PLAIN:
            return text
        cell = WriteOnlyCell(self._sheet, value=None)
        cell._value = text  # set past openpyxl's type guessing, which makes formulas
        cell.data_type = "s"
        return cell

    def close(self) -> None:
        """Save the workbook; its properties say the frozen time, not the time of saving."""
        moment = self._moment.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
        properties = self._book.properties
        properties.creator = CREATOR
        properties.lastModifiedBy = CREATOR
        properties.created = moment
        properties.modified = moment
        # Workbook.save() would stamp "modified" with the current time and zip entries
        # with the clock; ExcelWriter into a FixedTimeZip does neither.
        ExcelWriter(self._book, FixedTimeZip(self.path, self._moment)).save()

    def abort(self) -> None:
        """Drop the workbook: close its sheets and remove their temporary files."""
        for sheet in self._book.worksheets:
            if not sheet.closed:
                sheet.close()
            sheet._writer.cleanup()  # write-only sheets stream to a temp file until saved


def write_xlsx(
    path: Path,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    moment: dt.datetime,
) -> None:
    table = XlsxTable(path, title, header, moment=moment)
    for row in rows:
        table.add(row)
    table.close()
