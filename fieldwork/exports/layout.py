"""The columns of a batch's data files and each response's row in them.

Response metadata first, then in a batch of shadow tests their measures
(`measures`), then one column per question in questionnaire order (a multiple
choice gives one 0/1 column per choice). Which missing code a
question's columns get is decided here, once for every type: hidden by its
condition (-96), "not applicable" (-97), "don't know" (-98), shown but not
answered (-99). Only a real answer reaches the type's export builder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from fieldwork.answers import shown
from fieldwork.exports.columns import Cell, Column, Kind, exporter
from fieldwork.exports.measures import CODES as MEASURE_CODES
from fieldwork.exports.measures import Measures
from fieldwork.exports.records import ExportError, ExportRecord, Missing
from fieldwork.exports.safety import FORMULA_STARTS, QUOTE
from fieldwork.modes import MODES, SHADOW
from fieldwork.questionnaire.conditions import Answered, Combine, Compare, Condition
from fieldwork.questionnaire.model import (
    BLANK,
    DONT_KNOW,
    ILLEGIBLE,
    NOT_APPLICABLE,
    PAPER_MISSING,
    SEVERAL_TICKED,
    Question,
    Questionnaire,
)
from fieldwork.questionnaire.shadow import ShadowDefinition

HEAD: tuple[Column, ...] = (
    Column("response_id", Kind.INTEGER),
    Column("questionnaire_id", Kind.TEXT),
    Column("questionnaire_version", Kind.TEXT),
    Column("mode", Kind.TEXT),
    Column("segment", Kind.TEXT),
    Column("segment_source", Kind.TEXT),
    Column("language", Kind.TEXT),
)
TAIL: tuple[Column, ...] = (
    Column("started_at", Kind.TIMESTAMP),
    Column("submitted_at", Kind.TIMESTAMP),
    Column("duration_seconds", Kind.NUMBER),
)
ONLINE_ONLY = ("online",)
MISSING_OF: Mapping[str, Missing] = {
    DONT_KNOW: Missing.DONT_KNOW,
    NOT_APPLICABLE: Missing.NOT_APPLICABLE,
    BLANK: Missing.BLANK,
    ILLEGIBLE: Missing.ILLEGIBLE,
    SEVERAL_TICKED: Missing.SEVERAL_TICKED,
}
"""The export code of each stored value that stands for a missing answer."""
_STORED_MISSING = tuple(MISSING_OF)
ONLINE_MISSING = (
    Missing.NOT_SHOWN,
    Missing.NOT_APPLICABLE,
    Missing.DONT_KNOW,
    Missing.NOT_ANSWERED,
)
"""The codes of every batch's files, in the order manifests list them."""
_DISPLAY = ("text_size", "contrast")  # an online response's own fields of its record


def metadata(modes: Iterable[str] = ONLINE_ONLY) -> tuple[Column, ...]:
    """Response metadata columns: those of every response, then each of `modes`' own
    columns (fieldwork.modes) in registry order, then the times. Empty (null) where
    unknown: a paper response has no start time and no text size."""
    chosen = set(modes)
    own = dict.fromkeys(c for m in MODES.values() if m.code in chosen for c in m.export_columns)
    return (*HEAD, *(Column(name, Kind.TEXT) for name in own), *TAIL)


FIXED = metadata()
"""The metadata of a batch of online responses, and of every batch frozen before modes had
columns of their own."""

MEMO_LIMIT = 100_000
"""Combinations (of condition outcomes, of choices) remembered before a memo starts over."""


HIDDEN = object()
"""The value of a question its condition hides, whatever answer is stored."""


class _Slot:
    """One question, prepared: how a column of its answers becomes cells."""

    def __init__(self, question: Question) -> None:
        builder = exporter(question)
        kinds = [column.kind for column in builder.columns(question)]

        def cells(code: Missing) -> tuple[Cell, ...]:
            return tuple(code.text if kind is Kind.TEXT else code for kind in kinds)

        self.width = len(kinds)
        self._plain = builder.plain(question)
        self._convert = builder.converter(question)
        self._missing: dict[Any, tuple[Cell, ...]] = {
            HIDDEN: cells(Missing.NOT_SHOWN),
            None: cells(Missing.NOT_ANSWERED),
            **{value: cells(code) for value, code in MISSING_OF.items()},
        }
        # A one-column question's cell for the values whose cell is known without a call.
        self._own: dict[Any, Cell] = {value: value for value in builder.known(question)}
        self._own.update((value, codes[0]) for value, codes in self._missing.items())
        self._memo: dict[Any, tuple[Cell, ...]] = {}

    def cells(self, value: Any) -> tuple[Cell, ...]:
        """The cells of one value (an answer, None or HIDDEN); ValueError if it cannot be."""
        if value is HIDDEN or value is None or value in _STORED_MISSING:
            return self._missing[value]
        if type(value) in self._plain:
            return (value,)
        return tuple(self._convert(value))

    def _remembered(self, value: Any) -> tuple[Cell, ...]:
        """`cells`, remembered: a batch repeats few selections of a multiple choice."""
        key = tuple(value) if value.__class__ is list else value
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[key] = self.cells(value)
        return found

    def columns(self, values: Sequence[Any]) -> list[Sequence[Cell]]:
        """The cells of many values, column by column: what `cells` gives, faster.

        TypeError or ValueError if a value cannot be made into cells (`cells` says which).
        """
        if self.width > 1:
            return list(zip(*map(self._remembered, values), strict=True))
        own, plain, cells = self._own, self._plain, self.cells
        return [[own[v] if v in own else v if type(v) in plain else cells(v)[0] for v in values]]


class Visibility:
    """Which questions a version shows, remembered by the outcomes of its conditions' tests.

    `answers.shown` decides, and its result depends only on whether each test its
    conditions make (`{question, equals|in|not_in|answered}`) holds on the answers:
    a hidden question's answer is ignored, and whether that question is hidden follows
    from earlier tests. A batch repeats few combinations of outcomes (16 in the shipped
    questionnaire, against tens of thousands of combinations of the answers the tests
    read), so each is worked out once.
    """

    def __init__(self, version: Questionnaire) -> None:
        self.version = version
        found = (test for q in version.questions if q.show_if for test in _tests(q.show_if))
        self.tests: tuple[Compare | Answered, ...] = tuple(dict.fromkeys(found))
        self._outcomes = tuple(_Outcomes(test) for test in self.tests)
        self._memo: dict[tuple[bool | None, ...], frozenset[str]] = {}
        self._sets: dict[frozenset[str], frozenset[str]] = {}  # one object per distinct set

    def __call__(self, answers: Mapping[str, Any]) -> frozenset[str]:
        """The codes of the questions shown given `answers`."""
        key = tuple([holds(answers) for holds in self._outcomes])
        found = self._memo.get(key)
        if found is None:
            codes = frozenset(q.code for q in shown(self.version, answers))
            found = self._sets.setdefault(codes, codes)
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = found
        return found


class _Outcomes:
    """Whether a test holds, remembered by the one answer it reads: a batch repeats few
    answers to the questions conditions name, and each test makes sets anew."""

    def __init__(self, test: Compare | Answered) -> None:
        self.test = test
        self._memo: dict[Any, bool | None] = {}

    def __call__(self, answers: Mapping[str, Any]) -> bool | None:
        """Whether it holds; None when the answer it reads is one a paper sheet left
        unreadable, which decides no condition (`answers.shown`)."""
        code = self.test.question
        value = answers.get(code)
        key = tuple(value) if value.__class__ is list else value
        if key in self._memo:
            return self._memo[key]
        if len(self._memo) >= MEMO_LIMIT:
            self._memo.clear()
        unread = value in PAPER_MISSING
        found = self._memo[key] = None if unread else self.test.holds({code: value})
        return found


def _tests(condition: Condition) -> Iterator[Compare | Answered]:
    """The tests of single answers a condition is made of."""
    if isinstance(condition, Combine):
        for part in condition.parts:
            yield from _tests(part)
    else:
        yield condition


class Layout:
    """The columns for one questionnaire, and the rows of records that answered it.

    Records may also answer `also`, earlier versions of the same questionnaire,
    if every question they ask is in `questionnaire` with the same columns and
    no new choices: columns come from `questionnaire`, and what a record's own
    version did not ask is "not shown".

    A batch holding shadow responses has events.csv (`events`), and gives `shadows`, the
    shadow definitions of its versions (newest first): their measures
    (`exports.measures`) follow the metadata. Any other batch's columns are what they
    always were.
    """

    def __init__(
        self,
        questionnaire: Questionnaire,
        *,
        also: Iterable[Questionnaire] = (),
        modes: Iterable[str] = ONLINE_ONLY,
        shadows: Sequence[ShadowDefinition] = (),
    ):
        self.questionnaire = questionnaire
        self.questions: tuple[Question, ...] = tuple(questionnaire.questions)
        self.versions = {questionnaire.content_hash: questionnaire}
        for other in also:
            _check_compatible(questionnaire, other)
            self.versions[other.content_hash] = other
        self._visible = {key: Visibility(version) for key, version in self.versions.items()}
        self.modes = tuple(modes)
        self.metadata = metadata(self.modes)
        kept = {value for mode in self.modes for value in MODES[mode].missing}
        self._mode_missing = tuple(code for value, code in MISSING_OF.items() if value in kept)
        # Mode columns besides the display settings come from each record's provenance.
        self.provenance = tuple(
            c.name for c in self.metadata[len(HEAD) : -len(TAIL)] if c.name not in _DISPLAY
        )
        self.measures = Measures(shadows) if shadows else None
        # A batch holding shadow responses has events.csv, even of tests without measures.
        self.events = SHADOW.code in self.modes
        columns = list(self.metadata)
        if self.measures is not None:
            columns += self.measures.columns
        for question in self.questions:
            columns += exporter(question).columns(question)
        names = [c.name for c in columns]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"export columns named twice: {', '.join(doubled)}")
        self.columns: tuple[Column, ...] = tuple(columns)
        self.names: tuple[str, ...] = tuple(names)
        self.text_indexes = tuple(i for i, c in enumerate(columns) if c.kind is Kind.TEXT)
        self.time_indexes = tuple(i for i, c in enumerate(columns) if c.kind is Kind.TIMESTAMP)
        self._slots = tuple(_Slot(q) for q in self.questions)
        self._codes = tuple(q.code for q in self.questions)
        self._hidden: dict[frozenset[str], tuple[int, ...]] = {}

    def missing_codes(self, question: Question) -> tuple[Missing, ...]:
        """The codes this question's columns can hold, over every version records answer."""
        asked = [v.question(question.code) for v in self.versions.values() if _asks(v, question)]
        codes = {Missing.NOT_ANSWERED}
        if len(asked) < len(self.versions) or any(q.show_if is not None for q in asked):
            codes.add(Missing.NOT_SHOWN)
        allowed = {special for q in asked for special in q.allow}
        if NOT_APPLICABLE in allowed:
            codes.add(Missing.NOT_APPLICABLE)
        if DONT_KNOW in allowed:
            codes.add(Missing.DONT_KNOW)
        codes.update(self._mode_missing)
        return tuple(sorted(codes, reverse=True))

    def missing_listed(self) -> tuple[Missing, ...]:
        """Every code the batch's files may hold: the online ones, those of the batch's
        modes (a paper sheet's blank, illegible, several ticked), and those of shadow
        tests' measures."""
        measured = MEASURE_CODES if self.measures is not None else ()
        return (*ONLINE_MISSING, *self._mode_missing, *measured)

    def table(self, records: Sequence[ExportRecord]) -> list[Sequence[Cell]]:
        """The records' typed cells, one sequence per column; text is as answered.

        Built a column at a time: a batch's cells are made by list comprehensions, not by
        a loop over each response's questions. Only the answers are gathered by record, a
        map over its dict each, and the columns' values are the transpose.
        """
        if not records:
            return [[] for _ in self.columns]
        visible = [self._visibility(record)(record.answers) for record in records]
        started = [None if r.started_at is None else _utc(r.started_at, r.id) for r in records]
        submitted = [_utc(r.submitted_at, r.id) for r in records]
        columns: list[Sequence[Cell]] = [
            [r.id for r in records],
            [r.questionnaire_id for r in records],
            [r.version for r in records],
            [r.mode for r in records],
            [r.segment for r in records],
            [r.segment_source for r in records],
            [r.locale for r in records],
            *self._mode_columns(records),
            started,
            submitted,
            [
                None if start is None else round((end - start).total_seconds(), 3)
                for start, end in zip(started, submitted, strict=True)
            ],
        ]
        if self.measures is not None:
            columns += self.measures.table(records)
        # Each record's answers in question order, HIDDEN where its conditions hide one.
        codes = self._codes
        answers = [list(map(record.answers.get, codes)) for record in records]
        for row, codes_shown in zip(answers, visible, strict=True):
            for index in self._hidden_indexes(codes_shown):
                row[index] = HIDDEN
        for slot, values in zip(self._slots, zip(*answers, strict=True), strict=True):
            try:
                columns += slot.columns(values)
            except (TypeError, ValueError):
                for record, value in zip(records, values, strict=True):
                    try:
                        slot.cells(value)
                    except ValueError as error:
                        raise ExportError(f"response {record.id}: {error}") from error
                raise
        return columns

    def _mode_columns(self, records: Sequence[ExportRecord]) -> list[list[Cell]]:
        """The columns of the batch's modes, in the order `metadata` gives them."""
        found: list[list[Cell]] = []
        for column in self.metadata[len(HEAD) : -len(TAIL)]:
            if column.name == "text_size":
                found.append([r.text_size for r in records])
            elif column.name == "contrast":
                found.append([r.contrast for r in records])
            else:
                found.append([r.provenance.get(column.name) for r in records])
        return found

    def row(self, record: ExportRecord) -> list[Cell]:
        """One record's typed cells, one per column."""
        return [column[0] for column in self.table([record])]

    def _hidden_indexes(self, codes_shown: frozenset[str]) -> tuple[int, ...]:
        """Where in `self.questions` the questions missing from `codes_shown` are."""
        found = self._hidden.get(codes_shown)
        if found is None:
            if len(self._hidden) >= MEMO_LIMIT:
                self._hidden.clear()
            found = tuple(i for i, code in enumerate(self._codes) if code not in codes_shown)
            self._hidden[codes_shown] = found
        return found

    def _visibility(self, record: ExportRecord) -> Visibility:
        found = self._visible.get(record.version_hash)
        if found is None:
            raise ExportError(
                f"response {record.id} answered version {record.version_hash[:12]}, "
                f"which this layout of {self.questionnaire.id} does not cover"
            )
        return found

    def sheet_table(self, columns: Sequence[Sequence[Cell]]) -> list[Sequence[Cell]]:
        """Typed columns as spreadsheets get them: answer text neutralised, times as "…Z"."""
        safe = list(columns)
        for i in self.text_indexes:
            # safety.neutralise, inlined: this runs for every text cell of a batch. Only
            # plain str is answer text; a MissingText code is the export's own.
            safe[i] = [
                QUOTE + v if v.__class__ is str and v[:1] in FORMULA_STARTS else v
                for v in columns[i]
            ]
        for i in self.time_indexes:
            safe[i] = [utc_text(m) if isinstance(m, dt.datetime) else m for m in columns[i]]
        return safe

    def sheet_rows(self, columns: Sequence[Sequence[Cell]]) -> list[tuple[Cell, ...]]:
        """Typed columns as the rows spreadsheets get (see `sheet_table`)."""
        return list(zip(*self.sheet_table(columns), strict=True))

    def sheet_row(self, row: Sequence[Cell]) -> list[Cell]:
        """One typed row as spreadsheets get it (see `sheet_table`)."""
        return [column[0] for column in self.sheet_table([[cell] for cell in row])]


def utc_text(moment: dt.datetime) -> str:
    """A time as CSV and XLSX hold it: UTC to the second, "2026-09-03T10:15:00Z".

    Parquet keeps microseconds; truncating here keeps spreadsheets readable.
    """
    utc = moment.astimezone(dt.UTC) if moment.utcoffset() else moment
    # Twice as fast as strftime, and this runs twice a row.
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031
        utc.year,
        utc.month,
        utc.day,
        utc.hour,
        utc.minute,
        utc.second,
    )


def _utc(moment: dt.datetime, response_id: int) -> dt.datetime:
    offset = moment.utcoffset()
    if offset is None:
        raise ExportError(f"response {response_id}: time {moment} has no time zone")
    return moment.astimezone(dt.UTC) if offset else moment


def _asks(version: Questionnaire, question: Question) -> bool:
    return any(q.code == question.code for q in version.questions)


def _check_compatible(primary: Questionnaire, other: Questionnaire) -> None:
    """Refuse a version whose answers the primary's columns cannot hold as documented."""
    if other.id != primary.id:
        raise ValueError(f"{other.id} is not a version of {primary.id}")
    by_code = {q.code: q for q in primary.questions}
    for question in other.questions:
        mine = by_code.get(question.code)
        where = f"{question.code} of version {other.version}"
        if mine is None:
            raise ValueError(f"{where} is not in version {primary.version}")
        same_columns = exporter(question).columns(question) == exporter(mine).columns(mine)
        if question.type != mine.type or not same_columns:
            raise ValueError(f"{where} has other columns than in version {primary.version}")
        if not {c.value for c in question.choices} <= {c.value for c in mine.choices}:
            raise ValueError(f"{where} has choices that version {primary.version} lacks")
