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
from collections.abc import Iterable, Mapping, Sequence
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
    """The rows of every event of the records' tests, as the CSV holds them: times as
    "…Z" text, text neutralised."""
    found: list[tuple[Cell, ...]] = []
    for record in records:
        found += _rows(record)
    return found


def _rows(record: ExportRecord) -> list[tuple[Cell, ...]]:
    events = (record.shadow or {}).get("events") or ()
    try:
        timed = [(_time(e["at"]), int(e["sequence"]), e) for e in events]
        timed.sort(key=_happened)
        test = _text(record.provenance.get("test"))
        first = timed[0][0] if timed else dt.datetime.min
        return [
            (
                record.id,
                test,
                number,
                _text(event["code"]),
                utc_text(at),
                utc_text(_time(event["received"])),
                round((at - first).total_seconds(), 3),
                _text(event.get("entered")),
                _text(event.get("note") or None),
            )
            for number, (at, _, event) in enumerate(timed, start=1)
        ]
    except (KeyError, TypeError, ValueError) as error:
        raise ExportError(f"response {record.id}: its events cannot be read: {error}") from error


def _happened(timed: tuple[dt.datetime, int, Any]) -> tuple[dt.datetime, int]:
    """The order events happened in, as `shadow.timeline.ordered` reads a timeline: device
    time, then the order the device logged them."""
    return timed[0], timed[1]


def _time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    if moment.utcoffset() is None:
        raise ValueError(f"time {text} has no time zone")
    return moment


def _text(value: Any) -> Any:
    return neutralise(value) if value.__class__ is str else value


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
