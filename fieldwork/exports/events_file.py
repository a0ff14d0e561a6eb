"""events.csv: every logged event of a batch's shadow tests, one row each, in long form.

A test's events come in the order they happened, numbered from 1: by device time, then
the order the device logged them, as `shadow.timeline.ordered` reads a timeline for the
measures, so a queue an offline phone sent late reads as things happened and the
offsets here are those the measures were taken from. Rows are made a chunk of records
at a time, beside the data files' rows (`batch.prepare`), so the file streams like them.
Text is neutralised like every spreadsheet cell: a note "=HYPERLINK(…)" stays text.

Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from fieldwork.exports.columns import Cell, Column, Kind
from fieldwork.exports.layout import utc_text
from fieldwork.exports.measures import Described, labels, words
from fieldwork.exports.records import ExportError, ExportRecord
from fieldwork.exports.safety import neutralise
from fieldwork.questionnaire.shadow import ShadowDefinition

NAME = "events.csv"
FILE = "events"
"""The file the codebook names for these columns (the data files are "data")."""
EVENT = "event"
"""These columns' type in the codebook."""
COLUMNS = (
    Column("response_id", Kind.INTEGER),
    Column("test", Kind.TEXT),
    Column("sequence", Kind.INTEGER),
    Column("code", Kind.TEXT),
    Column("device_at", Kind.TIMESTAMP),
    Column("received_at", Kind.TIMESTAMP),
    Column("offset_seconds", Kind.NUMBER),
    Column("entered", Kind.TEXT),
    Column("note", Kind.TEXT),
)
HEADER = tuple(c.name for c in COLUMNS)
ENTERED = (("tap", "entered_tap"), ("typed", "entered_typed"))
"""How an event was logged (`shadow.models.TAP`, `TYPED`) and the words for each."""


def rows(records: Iterable[ExportRecord]) -> list[tuple[Cell, ...]]:
    """The rows of every event of the records' tests, as the CSV holds them."""
    return [tuple(_safe(cell) for cell in row) for record in records for row in _typed(record)]


def _typed(record: ExportRecord) -> Iterator[list[Cell]]:
    events = (record.shadow or {}).get("events") or ()
    try:
        timed = [(_time(e["at"]), int(e["sequence"]), e) for e in events]
        timed.sort(key=lambda found: found[:2])  # as timeline.ordered: time, then logged
        test = record.provenance.get("test")
        first = timed[0][0] if timed else dt.datetime.min
        for number, (at, _, event) in enumerate(timed, start=1):
            yield [
                record.id,
                test,
                number,
                event["code"],
                at,
                _time(event["received"]),
                round((at - first).total_seconds(), 3),
                event.get("entered"),
                event.get("note") or None,
            ]
    except (KeyError, TypeError, ValueError) as error:
        raise ExportError(f"response {record.id}: its events cannot be read: {error}") from error


def _time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    if moment.utcoffset() is None:
        raise ValueError(f"time {text} has no time zone")
    return moment


def _safe(cell: Cell) -> Cell:
    if isinstance(cell, dt.datetime):
        return utc_text(cell)
    return neutralise(cell) if isinstance(cell, str) else cell


def described(definitions: Sequence[ShadowDefinition], languages: Sequence[str]) -> list[Described]:
    """The codebook's words for every column, in column order; the event codes labelled
    by every definition version of the batch (the newest's label where they differ)."""
    names: dict[str, Mapping[str, str]] = {}
    for definition in definitions:
        for event in definition.events:
            names.setdefault(event.code, event.label)
    codes = {
        lang: tuple((code, label.get(lang, "")) for code, label in names.items())
        for lang in languages
    }
    by_name: dict[str, dict[str, Any]] = {
        "response_id": {"text": words("event_response_id", languages)},
        "test": {"text": words("test", languages)},
        "sequence": {"text": words("sequence", languages)},
        "code": {"text": words("code", languages), "values": codes},
        "device_at": {"text": words("device_at", languages)},
        "received_at": {"text": words("received_at", languages)},
        "offset_seconds": {
            "text": words("offset_seconds", languages),
            "unit": words("seconds", languages),
        },
        "entered": {"text": words("entered", languages), "values": labels(languages, *ENTERED)},
        "note": {"text": words("note", languages)},
    }
    return [Described(column, **by_name[column.name]) for column in COLUMNS]
