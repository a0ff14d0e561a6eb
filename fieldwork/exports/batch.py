"""Writing a batch's files in one pass over its records.

The service hands records (and the responses it excluded) over once, in
ascending id order; every `CHUNK` records, their rows go to every data file,
so memory stays flat however large the batch and a one-shot iterator is
enough. Closing writes the codebook and the manifest; `Export.pack` zips it
all. Nothing here reads a clock: the batch's frozen time is the only time in
the files, so the same batch gives the same bytes.

Files: data.csv, data.parquet, data.xlsx (any of the three may be left out),
events.csv (in a batch of shadow tests only: `events_file`), codebook.csv,
codebook.xlsx, cleaning_log.csv, manifest.json.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self, TypeVar

import pyarrow as pa

from fieldwork.exports import archive, codebook, events_file, manifest
from fieldwork.exports.columns import Cell
from fieldwork.exports.csv_file import CsvTable, format_rows
from fieldwork.exports.layout import Layout
from fieldwork.exports.parquet_file import ROW_GROUP_SIZE, ParquetTable, record_batch
from fieldwork.exports.records import Excluded, ExportError, ExportRecord
from fieldwork.exports.safety import neutralise
from fieldwork.exports.xlsx_file import XlsxTable

DATA_CSV = "data.csv"
DATA_PARQUET = "data.parquet"
DATA_XLSX = "data.xlsx"
CLEANING_LOG = "cleaning_log.csv"
CLEANING_LOG_HEADER = ("response_id", "status", "flag_codes")
CLEANING_LOG_MODES = ("mode", "sheet_id")
"""Added to the cleaning log of a batch that considered responses of other modes than
online: whoever cleans it can find the paper sheet behind a response it leaves out."""
FLAG_SEPARATOR = ";"
CHUNK = 1000
"""Records whose rows are made together, a column at a time (see `Layout.table`)."""
FORMATS = ("csv", "parquet", "xlsx")
"""Data formats, in the order their files appear in the zip."""
FILE_NAMES = (
    DATA_CSV,
    DATA_PARQUET,
    DATA_XLSX,
    codebook.CSV_NAME,
    codebook.XLSX_NAME,
    CLEANING_LOG,
    manifest.NAME,
)
"""Every file an export writes (but a data format left out), in zip order; `Export.files`
lists those written. A batch of shadow tests also has events.csv (`file_names`)."""


def file_names(*, events: bool) -> tuple[str, ...]:
    """FILE_NAMES, with events.csv after the data files if `events`."""
    if not events:
        return FILE_NAMES
    at = FILE_NAMES.index(DATA_XLSX) + 1
    return (*FILE_NAMES[:at], events_file.NAME, *FILE_NAMES[at:])


class Chunk(NamedTuple):
    """Records already made into what each data file takes (`prepare`), e.g. by another
    process: what a file left out of the export does not need is None."""

    ids: list[int]
    groups: Counter[tuple[str, str]]  # responses by (segment, mode)
    csv: bytes | None  # their rows as data.csv holds them
    parquet: pa.RecordBatch | None  # their typed rows as data.parquet holds them
    sheet: list[tuple[Cell, ...]] | None  # their rows as data.xlsx holds them
    # Their tests' events as events.csv holds them, and how many: in a batch of shadow
    # tests only (`Layout.events`).
    events: bytes | None = None
    event_count: int = 0


def prepare(
    layout: Layout, records: Sequence[ExportRecord], formats: Collection[str] = FORMATS
) -> Chunk:
    """Some records, in their order, made into rows for the files of `formats`, for
    `BatchWriter.add_chunk`. A worker process can make them: then the process that writes
    the files only writes, and what passes between them is bytes and Arrow buffers."""
    columns = layout.table(records)
    sheet = layout.sheet_rows(columns) if {"csv", "xlsx"} & set(formats) else None
    events = events_file.rows(records) if layout.events else None
    return Chunk(
        ids=[r.id for r in records],
        groups=Counter((r.segment, r.mode) for r in records),
        csv=format_rows(sheet) if sheet is not None and "csv" in formats else None,
        parquet=record_batch(layout.columns, columns) if "parquet" in formats else None,
        sheet=sheet if "xlsx" in formats else None,
        events=None if events is None else format_rows(events),
        event_count=0 if events is None else len(events),
    )


class _Table(Protocol):
    path: Path

    def close(self) -> None: ...


T = TypeVar("T", bound=_Table)


@dataclass(frozen=True)
class Export:
    """A finished export: its folder, its files in zip order (manifest last), the manifest."""

    directory: Path
    files: tuple[str, ...]
    manifest: Mapping[str, Any]
    frozen_at: dt.datetime

    def pack(self, target: Path) -> Path:
        """Zip every file into `target`: fixed order and times, so the same bytes each time."""
        archive.pack(target, [(n, self.directory / n) for n in self.files], self.frozen_at)
        return target


class BatchWriter:
    """Streams one batch into `directory`: `add` each record, `exclude` each left-out one, `close`.

    `batch` (id, name, filters, creator pseudonym…) goes into the manifest as
    given and must be JSON-serialisable; datetimes are written as UTC (naive
    ones are taken to be UTC already, as SQLite returns them) and dates as
    YYYY-MM-DD. Records must come in ascending id order, as must exclusions;
    they may be interleaved. Use as a context manager, or call `abort` on
    failure, so a failed export leaves no partial files behind.
    """

    def __init__(
        self,
        directory: Path,
        layout: Layout,
        *,
        frozen_at: dt.datetime,
        batch: Mapping[str, Any],
        rules_version: str,
        bom: bool = False,
        formats: Collection[str] = FORMATS,
        row_group_size: int = ROW_GROUP_SIZE,
        log_modes: bool = False,
    ) -> None:
        unknown = set(formats) - set(FORMATS)
        if unknown:
            raise ValueError(f"unknown export formats: {', '.join(sorted(unknown))}")
        if frozen_at.utcoffset() is None:
            raise ValueError("frozen_at must carry a time zone")
        self.directory = directory
        self.layout = layout
        self._frozen_at = frozen_at
        self._batch = batch
        self._rules_version = rules_version
        self._bom = bom
        self._formats = tuple(formats)
        self._counts: Counter[tuple[str, str]] = Counter()
        self._excluded: Counter[str] = Counter()
        self._last_included: int | None = None
        self._last_excluded: int | None = None
        self._pending: list[ExportRecord] = []
        self._tables: list[_Table] = []
        self._csv: CsvTable | None = None
        self._parquet: ParquetTable | None = None
        self._xlsx: XlsxTable | None = None
        self._events: CsvTable | None = None
        names = list(layout.names)
        try:
            if "csv" in formats:
                self._csv = self._open(CsvTable(directory / DATA_CSV, names, bom=bom))
            if "parquet" in formats:
                self._parquet = self._open(
                    ParquetTable(
                        directory / DATA_PARQUET,
                        layout.columns,
                        metadata=_parquet_metadata(layout),
                        row_group_size=row_group_size,
                    )
                )
            if "xlsx" in formats:
                self._xlsx = self._open(
                    XlsxTable(directory / DATA_XLSX, "data", names, moment=frozen_at)
                )
            if layout.events:
                path = directory / events_file.NAME
                self._events = self._open(CsvTable(path, events_file.HEADER, bom=bom))
            self._log_modes = log_modes
            header = CLEANING_LOG_HEADER + (CLEANING_LOG_MODES if self._log_modes else ())
            self._log = self._open(CsvTable(directory / CLEANING_LOG, header, bom=bom))
        except BaseException:
            self.abort()
            raise

    def _open(self, table: T) -> T:
        self._tables.append(table)
        return table

    def add(self, record: ExportRecord) -> None:
        """Write one included response to every data file (in the next chunk)."""
        if self._last_included is not None and record.id <= self._last_included:
            raise ExportError(
                f"response {record.id} comes after {self._last_included}: ids must ascend"
            )
        self._last_included = record.id
        self._pending.append(record)
        if len(self._pending) >= CHUNK:
            self._write_pending()
        self._counts[record.segment, record.mode] += 1

    def add_chunk(self, chunk: Chunk) -> None:
        """Write records made into rows beforehand (`prepare` with this export's formats):
        what `add` does for each of them."""
        self._write_pending()
        if chunk.ids and self._last_included is not None and chunk.ids[0] <= self._last_included:
            raise ExportError(
                f"response {chunk.ids[0]} comes after {self._last_included}: ids must ascend"
            )
        if chunk.ids:
            self._last_included = chunk.ids[-1]
            self._write_chunk(chunk)
        self._counts.update(chunk.groups)

    def _write_pending(self) -> None:
        if not self._pending:
            return
        chunk = prepare(self.layout, self._pending, self._formats)
        self._pending = []
        self._write_chunk(chunk)

    def _write_chunk(self, chunk: Chunk) -> None:
        if self._csv is not None:
            self._csv.add_encoded(_made(chunk.csv, self._csv), len(chunk.ids))
        if self._parquet is not None:
            self._parquet.add(_made(chunk.parquet, self._parquet))
        if self._xlsx is not None:
            for row in _made(chunk.sheet, self._xlsx):
                self._xlsx.add(row)
        if self._events is not None:
            self._events.add_encoded(_made(chunk.events, self._events), chunk.event_count)

    def exclude(self, item: Excluded) -> None:
        """Log one response the filters considered but the batch leaves out."""
        if self._last_excluded is not None and item.response_id <= self._last_excluded:
            raise ExportError(
                f"excluded {item.response_id} comes after {self._last_excluded}: ids must ascend"
            )
        self._last_excluded = item.response_id
        flags = FLAG_SEPARATOR.join(item.flag_codes)
        row: list[Any] = [item.response_id, neutralise(item.status), neutralise(flags)]
        if self._log_modes:  # which paper sheet to look out, for an excluded paper response
            row += [item.mode, item.sheet_id]
        self._log.add(row)
        self._excluded[item.status] += 1

    def close(self) -> Export:
        """Finish the data files, write codebook and manifest; returns what was written."""
        try:
            self._write_pending()
            for table in self._tables:
                table.close()
            self._tables = []
            tables = (self._csv, self._parquet, self._xlsx, self._events)
            names = [t.path.name for t in tables if t is not None]
            names += codebook.write_codebook(
                self.directory, self.layout, bom=self._bom, moment=self._frozen_at
            )
            names.append(CLEANING_LOG)
            content = manifest.build(
                layout=self.layout,
                batch=self._batch,
                rules_version=self._rules_version,
                frozen_at=self._frozen_at,
                bom=self._bom,
                counts=self.counts(),
                files=[manifest.describe(self.directory / name) for name in names],
            )
            (self.directory / manifest.NAME).write_bytes(manifest.dumps(content))
        except BaseException:
            self.abort()
            for name in file_names(events=True):  # half an export must not pass for whole
                (self.directory / name).unlink(missing_ok=True)
            raise
        return Export(self.directory, (*names, manifest.NAME), content, self._frozen_at)

    def counts(self) -> dict[str, Any]:
        by_segment: dict[str, dict[str, int]] = {}
        for (segment, mode), count in self._counts.items():
            by_segment.setdefault(segment, {})[mode] = count
        found: dict[str, Any] = {
            "responses": sum(self._counts.values()),
            "excluded": sum(self._excluded.values()),
            "by_segment_mode": by_segment,
            "excluded_by_status": dict(self._excluded),
        }
        if self._events is not None:
            found["events"] = self._events.rows
        return found

    def abort(self) -> None:
        """Stop without finishing: close what is open and remove the partial files."""
        for table in self._tables:
            try:
                if isinstance(table, XlsxTable):
                    table.abort()
                else:
                    table.close()
            finally:
                table.path.unlink(missing_ok=True)
        self._tables = []

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None:
            self.abort()


Made = TypeVar("Made")


def _made(rows: Made | None, table: _Table) -> Made:
    if rows is None:
        raise ExportError(f"a chunk came without its rows for {table.path.name}")
    return rows


def _parquet_metadata(layout: Layout) -> dict[str, str]:
    questionnaire = layout.questionnaire
    return {
        "fieldwork.questionnaire_id": questionnaire.id,
        "fieldwork.questionnaire_version": questionnaire.version,
        "fieldwork.content_hash": questionnaire.content_hash,
    }


def export_batch(
    directory: Path,
    layout: Layout,
    records: Iterable[ExportRecord | Chunk],
    excluded: Iterable[Excluded] = (),
    *,
    frozen_at: dt.datetime,
    batch: Mapping[str, Any],
    rules_version: str,
    bom: bool = False,
    formats: Collection[str] = FORMATS,
    log_modes: bool = False,
) -> Export:
    """Write every file of a batch, reading each iterable once. `records` may come made
    into rows already (`prepare`), a chunk at a time. `log_modes`: the cleaning log also
    says each response's mode and paper sheet (`CLEANING_LOG_MODES`).

    Both are read in one pass by id, so the cleaning log is written as the records come:
    while worker processes make a large batch's next chunk, this process has time to spare.
    """
    with BatchWriter(
        directory,
        layout,
        frozen_at=frozen_at,
        batch=batch,
        rules_version=rules_version,
        bom=bom,
        formats=formats,
        log_modes=log_modes,
    ) as writer:
        for item in heapq.merge(records, excluded, key=_first_id):
            if isinstance(item, Excluded):
                writer.exclude(item)
            elif isinstance(item, Chunk):
                writer.add_chunk(item)
            else:
                writer.add(item)
        return writer.close()


def _first_id(item: ExportRecord | Chunk | Excluded) -> int:
    if isinstance(item, Excluded):
        return item.response_id
    if isinstance(item, Chunk):
        return item.ids[0] if item.ids else 0
    return item.id
