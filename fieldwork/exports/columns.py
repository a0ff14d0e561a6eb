"""Export builders, one per question type: the columns a question fills and its codebook words.

Keyed by the same names as `questionnaire.types.TYPES`; a test fails if either
side misses a type. A builder turns a stored answer into cells; special answers
and missing answers never reach it (the layout writes their codes), so each
builder only knows its own type's values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from fieldwork.exports.phrases import phrase
from fieldwork.questionnaire import types as question_types
from fieldwork.questionnaire.model import Question

Cell = int | float | str | dt.datetime | None
"""One value of a row as the layout builds it; `Missing` codes are ints."""

Convert = Callable[[Any], Sequence[Cell]]
"""A stored answer (never None or special) → the cells of its question's columns."""


class Kind(StrEnum):
    """How a column is stored; each writer maps it to its own types."""

    INTEGER = "integer"  # whole numbers and missing codes: int64
    NUMBER = "number"  # numbers that may have decimals, and missing codes: float64
    TEXT = "text"  # choice values, dates, free text; missing codes as "-96": string
    TIMESTAMP = "timestamp"  # UTC instants: timestamp[us, UTC], "…Z" in spreadsheets


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    question: str | None = None  # the question code; None for response metadata
    option: str | None = None  # the choice a multiple-choice 0/1 column stands for


class Exporter:
    """Base of every export builder: one column holding the answer as stored."""

    kind: ClassVar[Kind]

    def columns(self, question: Question) -> tuple[Column, ...]:
        return (Column(question.code, self.storage(question), question.code),)

    def storage(self, question: Question) -> Kind:
        return self.kind

    def plain(self, question: Question) -> frozenset[type]:
        """Exact types of answers that are their own single cell (True is not a rating).

        The layout copies these without a call, the common case on a million rows;
        any other answer goes through `converter`.
        """
        return frozenset({str})

    def known(self, question: Question) -> frozenset[Any]:
        """Answers that are their own single cell, found by value (a choice's values).

        The layout copies these without a call; any other answer goes through `plain`
        and then `converter`, which must accept them too.
        """
        return frozenset()

    def converter(self, question: Question) -> Convert:
        """A function from a stored answer that is not `plain` to cells."""
        code, kind = question.code, question.type

        def refuse(value: Any) -> tuple[Cell, ...]:
            raise ValueError(f"{code}: {value!r} is not a stored {kind} answer")

        return refuse

    def value_labels(
        self, question: Question, column: Column, language: str
    ) -> list[tuple[str, str]]:
        """(value, label) pairs for the codebook, missing codes excluded."""
        return []

    def value_range(self, question: Question) -> str:
        return ""

    def unit(self, question: Question, language: str) -> str:
        return ""


_BOUNDED = (
    question_types.Rating,
    question_types.Number,
    question_types.Duration,
    question_types.Date,
)


def _bounds_text(question: Question) -> str:
    """The allowed range as the type reads it (defaults included), e.g. "1..5" or "2020-01-01.."."""
    kind = question_types.type_of(question)
    if not isinstance(kind, _BOUNDED):
        return ""
    low, high = kind.bounds(question)
    if low is None and high is None:
        return ""
    return f"{'' if low is None else low}..{'' if high is None else high}"


def _label(text: Mapping[str, str] | None, language: str) -> str:
    return (text or {}).get(language, "")


class SingleChoice(Exporter):
    """The choice's stable value as text, not its position: values survive reordering."""

    kind = Kind.TEXT

    def plain(self, question: Question) -> frozenset[type]:
        return frozenset()  # every value is checked against the choices

    def known(self, question: Question) -> frozenset[Any]:
        return frozenset(c.value for c in question.choices)

    def converter(self, question: Question) -> Convert:
        known = self.known(question)
        code = question.code

        def convert(value: Any) -> tuple[Cell]:
            if value.__class__ is not str or value not in known:
                raise ValueError(f"{code}: {value!r} is not one of its choices")
            return (value,)

        return convert

    def value_labels(
        self, question: Question, column: Column, language: str
    ) -> list[tuple[str, str]]:
        return [(c.value, _label(c.label, language)) for c in question.choices]


class MultipleChoice(Exporter):
    """One 0/1 column per choice, named `{code}_{value}`; a missing code fills them all."""

    kind = Kind.INTEGER

    def columns(self, question: Question) -> tuple[Column, ...]:
        return tuple(
            Column(f"{question.code}_{c.value}", Kind.INTEGER, question.code, c.value)
            for c in question.choices
        )

    def plain(self, question: Question) -> frozenset[type]:
        return frozenset()

    def converter(self, question: Question) -> Convert:
        values = tuple(c.value for c in question.choices)
        known = frozenset(values)
        code = question.code

        def convert(value: Any) -> list[Cell]:
            if not isinstance(value, list):
                raise ValueError(f"{code}: {value!r} is not a list of choices")
            selected = set(value)
            if not selected <= known:
                raise ValueError(f"{code}: {sorted(selected - known)} are not its choices")
            return [1 if v in selected else 0 for v in values]

        return convert

    def value_labels(
        self, question: Question, column: Column, language: str
    ) -> list[tuple[str, str]]:
        choice = question.choice(column.option or "")
        label = _label(choice.label if choice else None, language)
        return [("1", label), ("0", phrase("not_selected", language))]


class Rating(Exporter):
    kind = Kind.INTEGER

    def plain(self, question: Question) -> frozenset[type]:
        return frozenset({int})

    def value_labels(
        self, question: Question, column: Column, language: str
    ) -> list[tuple[str, str]]:
        kind = question_types.type_of(question)
        assert isinstance(kind, question_types.Rating)  # rating and scale_0_10 both map here
        low, high = kind.bounds(question)
        labels = question.options.get("labels") or {}
        return [
            (str(point), _label(labels.get(end), language))
            for point, end in ((low, "min"), (high, "max"))
            if labels.get(end)
        ]

    def value_range(self, question: Question) -> str:
        return _bounds_text(question)


class Number(Exporter):
    """Whole numbers as int64; a question with `integer: false` as float64."""

    def storage(self, question: Question) -> Kind:
        return Kind.INTEGER if question.options.get("integer", True) else Kind.NUMBER

    def plain(self, question: Question) -> frozenset[type]:
        return (
            frozenset({int}) if self.storage(question) is Kind.INTEGER else frozenset({int, float})
        )

    def value_range(self, question: Question) -> str:
        return _bounds_text(question)

    def unit(self, question: Question, language: str) -> str:
        return _label(question.options.get("unit"), language)


class Duration(Exporter):
    """Minutes, as stored: the form's hours and minutes are already added up."""

    kind = Kind.INTEGER

    def plain(self, question: Question) -> frozenset[type]:
        return frozenset({int})

    def value_range(self, question: Question) -> str:
        return _bounds_text(question)

    def unit(self, question: Question, language: str) -> str:
        return phrase("minutes", language)


class Date(Exporter):
    """YYYY-MM-DD text: the same in every file, and no spreadsheet turns it into a serial."""

    kind = Kind.TEXT

    def value_range(self, question: Question) -> str:
        return _bounds_text(question)

    def unit(self, question: Question, language: str) -> str:
        return "YYYY-MM-DD"


class Text(Exporter):
    """Free text as typed; spreadsheet files neutralise formula-like text (see `safety`)."""

    kind = Kind.TEXT


EXPORTERS: Mapping[str, Exporter] = {
    "single_choice": SingleChoice(),
    "multiple_choice": MultipleChoice(),
    "rating": Rating(),
    "scale_0_10": Rating(),
    "number": Number(),
    "duration": Duration(),
    "date": Date(),
    "short_text": Text(),
    "long_text": Text(),
}
"""Every question type's export builder, keyed like `questionnaire.types.TYPES`."""


def exporter(question: Question) -> Exporter:
    return EXPORTERS[question.type]
