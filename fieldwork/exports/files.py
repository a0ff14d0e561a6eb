"""The files of a frozen batch, written once into the exports folder and kept.

Everything in them comes from the batch (its frozen id list, statuses and flags,
its creation time) and from responses, which are never edited in place, so
writing them again would give the same bytes: the web page and the CLI share
one copy. A folder is written under a temporary name and renamed when complete,
so a crash or a concurrent request never serves half an export.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from fieldwork import parallel, private
from fieldwork.definitions.service import Versions
from fieldwork.exports import batch as writer
from fieldwork.exports import service
from fieldwork.exports.layout import Layout
from fieldwork.exports.models import Batch, BatchItem
from fieldwork.exports.records import NO_PROVENANCE, Excluded, ExportRecord
from fieldwork.modes import MODES, ONLINE, SHADOW
from fieldwork.quality import as_utc
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.responses import documents
from fieldwork.responses.models import Response

FILE_NAMES = writer.FILE_NAMES
ZIP_NAME = "batch.zip"
EXCEL_ROWS = 1_048_575
"""A spreadsheet holds this many data rows under its header; a larger batch gets no XLSX."""

Progress = Callable[[int], None]
People = Mapping[int, str] | None
"""A batch's staff pseudonyms by staff id, or None when its files show no one."""


def formats(batch: Batch) -> tuple[str, ...]:
    return writer.FORMATS if batch.size <= EXCEL_ROWS else ("csv", "parquet")


def names(batch: Batch) -> list[str]:
    """The files a batch's export holds, zip first, without writing them."""
    left_out = {writer.DATA_XLSX} if "xlsx" not in formats(batch) else set()
    written = writer.file_names(events=SHADOW.code in batch.modes)
    return [ZIP_NAME, *(name for name in written if name not in left_out)]


def folder(exports_dir: str | Path, batch: Batch, bom: bool) -> Path:
    """Where a batch's files are kept. Named by what the batch is, not only its number:
    a database started afresh numbers its batches from 1 again."""
    identity = f"{batch.id}|{as_utc(batch.created_at).isoformat()}|{batch.rules_version}"
    token = hashlib.sha256(f"{identity}|{batch.name}".encode()).hexdigest()[:12]
    return Path(exports_dir) / f"batch-{batch.id}-{token}{'-bom' if bom else ''}"


def files_of(
    session: Session,
    batch: Batch,
    exports_dir: str | Path,
    *,
    bom: bool = False,
    progress: Progress = lambda n: None,
    versions: Versions | None = None,
) -> dict[str, Path]:
    """{file name: path} of every file of the batch, the zip included; written if missing."""
    target = folder(exports_dir, batch, bom)
    if not (target / ZIP_NAME).exists():
        write(session, batch, target, bom=bom, progress=progress, versions=versions)
    names = [p.name for p in sorted(target.iterdir())]
    return {name: target / name for name in names}


def write(
    session: Session,
    batch: Batch,
    target: Path,
    *,
    bom: bool = False,
    progress: Progress = lambda n: None,
    versions: Versions | None = None,
) -> Path:
    """Write the batch's files and zip into `target` (replacing nothing that exists)."""
    assert batch.id is not None
    layout = layout_of(session, batch, versions or Versions())
    private.folder(target.parent)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        chosen = formats(batch)
        done = writer.export_batch(
            work,
            layout,
            _responses(session, batch, layout, chosen, progress),
            _excluded(session, batch.id),
            frozen_at=as_utc(batch.created_at),
            batch=describe(batch),
            rules_version=batch.rules_version,
            bom=bom,
            formats=chosen,
            log_modes=service.considered_modes(session, batch) != {ONLINE.code},
        )
        done.pack(work / ZIP_NAME)
        private.chmod_files(work)  # the writers open their files with the umask's mode
        try:
            os.rename(work, target)
        except OSError:  # written meanwhile by another request: theirs is the same
            if not (target / ZIP_NAME).exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def describe(batch: Batch) -> dict[str, Any]:
    """What the manifest says of the batch. The creator is a pseudonym, never a person."""
    return {
        "id": batch.id,
        "name": batch.name,
        "filters": batch.filters,
        "size": batch.size,
        "excluded": batch.excluded,
        "created_by": "staff-1",
    }


def layout_of(session: Session, batch: Batch, versions: Versions) -> Layout:
    """Columns of the newest questionnaire version in the batch; older ones fit into them.
    A batch holding shadow tests also gets their definitions' measures and events."""
    held = set(batch.version_hashes)
    built: list[Questionnaire] = []
    for stored in versions.of(session, batch.questionnaire_id):  # newest first
        if stored.content_hash in held:
            found = versions.by_hash(session, stored.content_hash)
            assert found is not None
            built.append(found)
    shadows = []
    if SHADOW.code in batch.modes:  # a batch frozen before shadow tests had measures: none
        found_shadows = (versions.shadow(session, q.content_hash) for q in built)
        shadows = [found for found in found_shadows if found is not None]
    return Layout(built[0], also=built[1:], modes=batch.modes, shadows=shadows)


def _responses(
    session: Session, batch: Batch, layout: Layout, formats: Sequence[str], progress: Progress
) -> Iterator[ExportRecord | writer.Chunk]:
    """The batch's responses in id order: read and made into the rows of `formats` a chunk
    at a time by worker processes when the batch is large, else records read here."""
    assert batch.id is not None
    if parallel.worthwhile(batch.size):
        return _chunks_by_workers(session, batch.id, layout, formats, progress)
    return _records(session, batch.id, layout, progress)


def _labels(layout: Layout) -> dict[str, str]:
    return {key: version.version for key, version in layout.versions.items()}


def _people(session: Session, batch_id: int, layout: Layout) -> People:
    """The staff pseudonyms of the batch if its layout shows who entered responses."""
    return service.staff_pseudonyms(session, batch_id) if layout.provenance else None


def _chunks_by_workers(
    session: Session, batch_id: int, layout: Layout, formats: Sequence[str], progress: Progress
) -> Iterator[writer.Chunk]:
    bind = session.get_bind()
    shared = (batch_id, layout, _labels(layout), formats, _people(session, batch_id, layout))
    ranges = _ranges(bind.engine, batch_id)
    for chunk in parallel.in_workers(bind, _chunk, ranges, shared):
        progress(len(chunk.ids))
        yield chunk


def _ranges(engine: Engine, batch_id: int) -> Iterator[tuple[int, int | None]]:
    """(first id, next range's first id or None) of every CHUNK included responses.

    Read as the workers need them, on a connection of this generator's own: the workers
    start on the first range while the ids of the last are still unread.
    """
    item = col(BatchItem.response_id)
    ids = (
        select(item)
        .where(col(BatchItem.batch_id) == batch_id, col(BatchItem.included).is_(True))
        .order_by(item)
    )
    low: int | None = None
    with engine.connect() as connection:
        streamed = connection.execution_options(yield_per=writer.CHUNK)
        for part in streamed.execute(ids).scalars().partitions():
            if low is not None:
                yield low, part[0]
            low = part[0]
    if low is not None:
        yield low, None


def _chunk(bounds: tuple[int, int | None]) -> writer.Chunk:
    """In a worker: the included responses from one id up to the next range's, in rows."""
    batch_id, layout, labels, formats, people = parallel.shared()
    low, high = bounds
    item = col(BatchItem.response_id)
    query = (
        select(*service.exported(people is not None, layout.events))
        .join(BatchItem, item == col(Response.id))
        .where(col(BatchItem.batch_id) == batch_id, col(BatchItem.included).is_(True))
        .where(item >= low)
        .order_by(item)
    )
    if high is not None:
        query = query.where(item < high)
    with parallel.connection() as connection:
        rows = connection.execute(query).all()
    made = records(rows, labels, people, shadow=layout.events)
    return writer.prepare(layout, made, formats)


def _records(
    session: Session, batch_id: int, layout: Layout, progress: Progress
) -> Iterator[ExportRecord]:
    labels = _labels(layout)
    people = _people(session, batch_id, layout)
    shadow = layout.events
    count = 0
    rows = service.included_responses(
        session, batch_id, provenance=people is not None, shadow=shadow
    )
    for row in rows:
        yield record(row, labels, json.loads(row.answers), people, shadow=shadow)
        count += 1
        if count % 1000 == 0:
            progress(1000)
    progress(count % 1000)


def records(
    rows: Sequence[Any], labels: Mapping[str, str], people: People = None, *, shadow: bool = False
) -> list[ExportRecord]:
    """`record` of each row, their answers decoded together (`documents.loads_all`)."""
    answers = documents.loads_all([row.answers for row in rows])
    return [
        record(row, labels, found, people, shadow=shadow)
        for row, found in zip(rows, answers, strict=True)
    ]


def record(
    row: Any,
    labels: Mapping[str, str],
    answers: Mapping[str, Any],
    people: People = None,
    *,
    shadow: bool = False,
) -> ExportRecord:
    """What of a stored response may leave the system, from a row of `service.exported`
    (unpacked by position: by name costs as much as decoding the answers), the version
    labels by content hash, and the row's answers decoded. With `people` (the batch's staff
    pseudonyms), the row also holds `service.PROVENANCE`; with `shadow`, then
    `service.SHADOW_TEST`."""
    (
        id_,
        questionnaire_id,
        version_hash,
        mode,
        segment,
        segment_source,
        locale,
        started_at,
        submitted_at,
        _,  # the answers' text
        text_size,
        contrast,
        *rest,  # the provenance, if asked for, and what the query adds to page with
    ) = row
    return ExportRecord(
        id=id_,
        questionnaire_id=questionnaire_id,
        version=labels[version_hash],
        version_hash=version_hash,
        mode=mode,
        segment=segment,
        segment_source=segment_source,
        locale=locale,
        text_size=text_size,
        contrast=contrast,
        started_at=as_utc(started_at) if started_at else None,
        submitted_at=as_utc(submitted_at),
        answers=answers,
        provenance=NO_PROVENANCE if people is None else _provenance(mode, rest, people),
        shadow=shadow_test(rest[len(service.PROVENANCE)]) if shadow else None,
    )


FROZEN_TEST = ("planned_on", "spans_days", "events")
FROZEN_EVENT = ("sequence", "code", "at", "received", "entered", "note")


def shadow_test(text: str | None) -> dict[str, Any] | None:
    """What of a response's frozen test (`shadow.submission.frozen`, as JSON text) may
    leave the system: the plan's day, whether it spans days, and its events. Not the
    tester's id (the tester column holds their pseudonym), nor the device's event ids or
    the evidence files."""
    if text is None:
        return None
    frozen = json.loads(text)
    kept = {key: frozen.get(key) for key in FROZEN_TEST}
    kept["events"] = [
        {key: event.get(key) for key in FROZEN_EVENT} for event in frozen.get("events") or ()
    ]
    return kept


def _provenance(mode: str, rest: Sequence[Any], people: Mapping[int, str]) -> dict[str, Any]:
    """A row's provenance columns, by the names its mode exports them under."""
    sheet_id, platform, channel, source, entered_by = rest[: len(service.PROVENANCE)]
    found: dict[str, Any] = {**json.loads(source), "sheet_id": sheet_id}
    found.update(platform=platform, channel=channel)
    staff_column = MODES[mode].staff_column if mode in MODES else None
    if staff_column is not None and entered_by is not None:
        found[staff_column] = people[entered_by]
    return found


def _excluded(session: Session, batch_id: int) -> Iterator[Excluded]:
    for item in service.excluded_items(session, batch_id):
        flags = json.loads(item.flags) if item.flags != "[]" else []
        codes = tuple(str(flag.get("code", "")) for flag in flags)
        yield Excluded(item.response_id, item.status, codes, item.mode, item.sheet_id)
